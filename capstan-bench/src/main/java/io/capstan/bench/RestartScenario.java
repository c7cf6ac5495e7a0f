package io.capstan.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capstan.agent.AgentConfig;
import io.capstan.agent.NodeAgent;
import io.capstan.agent.PortRange;
import io.capstan.server.CapstanServer;
import io.capstan.server.ServerConfig;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A code package process killed (SIGKILL) until its first restart is running again, on a one-node cluster in
 * this JVM, against starting the very same program directly. The program connects back to the benchmark as soon
 * as it runs and sends its pid, so "running" is the moment the benchmark accepts that connection, the same for
 * both. Every run uses a fresh service, so each kill is the activation's first failure (restarted at once).
 *
 * <p>The cluster is built like {@link io.capstan.dist.DevCluster} (one server, one agent, in process) but with a
 * node name of its own: an agent's cgroups live under {@code capstan/<node name>/} machine-wide, and at start
 * it stops whatever it finds there, so a dev cluster's {@code node-1} would sweep (and be swept by) any other
 * cluster with a {@code node-1} on the same machine.
 */
final class RestartScenario {

    /** Connects back (port from the CallbackPort application parameter), sends its pid, then waits as sleep. */
    static final String PROGRAM = "exec 3<>/dev/tcp/127.0.0.1/$BENCH_CALLBACK_PORT && echo $$ >&3 && exec sleep 3600";

    private static final String APP = "RestartBench";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    /** The samples, in ms; warm-up runs are kept apart and left out of the statistics. */
    record Result(int runs, int warmupRuns, double codePackageCpu, List<Double> capstanMs, List<Double> baselineMs, List<Double> overheadMs,
                  List<Double> warmupCapstanMs, List<Double> warmupBaselineMs) {

        /** The samples and their statistics, for the JSON file. */
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cluster", "server and 1 agent in the benchmark's JVM");
            m.put("program", "bash -c '" + PROGRAM + "'");
            m.put("codePackageCpu", codePackageCpu);
            m.put("runs", runs);
            m.put("warmupRuns", warmupRuns);
            m.put("capstan", Samples.summary(capstanMs));
            m.put("baseline", Samples.summary(baselineMs));
            m.put("overhead", Samples.summary(overheadMs));
            m.put("capstanMs", capstanMs);
            m.put("baselineMs", baselineMs);
            m.put("overheadMs", overheadMs);
            m.put("warmupCapstanMs", warmupCapstanMs);
            m.put("warmupBaselineMs", warmupBaselineMs);
            return m;
        }
    }

    private final Path dir;
    private final BenchProcesses processes;
    private final double cpu;
    private final String node = "failover-bench-" + ProcessHandle.current().pid();

    /** @param cpu the code package's cpu request, which the agent enforces as a CFS quota on its cgroup */
    RestartScenario(Path dir, BenchProcesses processes, double cpu) {
        this.dir = dir;
        this.processes = processes;
        this.cpu = cpu;
    }

    Result run(int runs, int warmup) throws Exception {
        List<Double> capstan = new ArrayList<>();
        List<Double> baseline = new ArrayList<>();
        List<Double> warmCapstan = new ArrayList<>();
        List<Double> warmBaseline = new ArrayList<>();
        Path pkg = writePackage(dir.resolve("pkg"), cpu);
        OneNodeCluster cluster = new OneNodeCluster(dir, node);
        try (Callbacks callbacks = new Callbacks(); AutoCloseable stop = processes.closeFirst(cluster)) {
            cluster.start();
            processes.trackApi(cluster.apiUrl());
            BenchApi api = new BenchApi(cluster.apiUrl());
            api.awaitNodesUp(1, Duration.ofSeconds(60));
            api.registerPackage(pkg);
            api.post("/v1/apps", Map.of("name", APP, "type", "RestartBenchType", "version", "1.0.0",
                    "parameters", Map.of("CallbackPort", Integer.toString(callbacks.port()))));
            for (int run = 0; run < warmup + runs; run++) {
                boolean warm = run < warmup;
                double direct = baseline(callbacks);
                double restart = capstan(api, callbacks, "R" + run);
                (warm ? warmBaseline : baseline).add(direct);
                (warm ? warmCapstan : capstan).add(restart);
                System.err.printf(Locale.ROOT, "restart %s %d/%d: capstan %.1f ms, baseline %.1f ms%n",
                        warm ? "warm-up" : "run", warm ? run + 1 : run - warmup + 1, warm ? warmup : runs, restart, direct);
            }
        }
        List<Double> overhead = new ArrayList<>();
        for (int i = 0; i < capstan.size(); i++) {
            overhead.add(capstan.get(i) - baseline.get(i));
        }
        return new Result(runs, warmup, cpu, capstan, baseline, overhead, warmCapstan, warmBaseline);
    }

    /** The program started directly, in its own session as the agent starts it: spawn until it connects back. */
    private double baseline(Callbacks callbacks) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("setsid", "/bin/bash", "-c", PROGRAM)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("BENCH_CALLBACK_PORT", Integer.toString(callbacks.port()));
        long start = System.nanoTime();
        Process p = processes.track(pb.start());
        try (Callback c = callbacks.next()) {
            if (c.pid() != p.pid()) {
                throw new IllegalStateException("baseline: expected a connection from pid " + p.pid() + ", got " + c.pid());
            }
            return (c.acceptedAt() - start) / 1e6;
        } finally {
            processes.kill(p);
        }
    }

    /**
     * A fresh service of one ExclusiveProcess instance: once it runs (and the agent reported it), SIGKILL its
     * process and time until the restarted process connects back. Then checks it was the same activation's first
     * restart, and deletes the service.
     */
    private double capstan(BenchApi api, Callbacks callbacks, String service) throws Exception {
        api.post("/v1/apps/" + APP + "/services", Map.of("name", service, "serviceType", "CallbackType",
                "instanceCount", 1, "activation", "ExclusiveProcess"));
        long restartedPid;
        double ms;
        try (Callback first = callbacks.next()) {
            awaitConverged(api, service);
            JsonNode before = awaitDeployed(api, node, first.pid());
            // The handle is taken before the clock starts: only the kill itself is inside the measurement.
            ProcessHandle victim = ProcessHandle.of(first.pid())
                    .orElseThrow(() -> new IllegalStateException("pid " + first.pid() + " is gone before the kill"));
            long start = System.nanoTime();
            victim.destroyForcibly();
            try (Callback second = callbacks.next()) {
                ms = (second.acceptedAt() - start) / 1e6;
                restartedPid = second.pid();
            }
            JsonNode after = awaitDeployed(api, node, restartedPid);
            String activation = before.path("activationId").asText();
            if (after.path("restartCount").asInt() != 1 || !after.path("activationId").asText().equals(activation)) {
                throw new IllegalStateException("expected the first restart within activation " + activation + ", got " + after);
            }
        }
        api.delete("/v1/apps/" + APP + "/services/" + service);
        // The next run must not overlap this one's stop.
        ProcessHandle.of(restartedPid).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
        return ms;
    }

    private static void awaitConverged(BenchApi api, String service) throws Exception {
        long index = 0;
        long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = api.get("/v1/apps/" + APP + "/services/" + service + "?index=" + index + "&wait=5s");
            index = BenchApi.index(r, index);
            if (api.body(r).path("converged").asBoolean()) {
                return;
            }
        }
        throw new IllegalStateException(service + " did not converge in " + CONNECT_TIMEOUT);
    }

    /**
     * Waits until the node reports {@code pid} Running (so the agent is done with the start, and the pid we
     * kill is the code package process itself, not a child); returns its code package status plus activationId.
     */
    private static JsonNode awaitDeployed(BenchApi api, String node, long pid) throws Exception {
        long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode item : api.getJson("/v1/nodes/" + node + "/deployed").path("items")) {
                for (JsonNode cp : item.path("codePackages")) {
                    if (cp.path("pid").asLong() == pid && cp.path("state").asText().equals("Running")) {
                        ObjectNode status = ((ObjectNode) cp).deepCopy();
                        status.put("activationId", item.path("activationId").asText());
                        return status;
                    }
                }
            }
            // Why a fixed delay: reports arrive ~100 ms after a change; this wait is outside any measurement.
            Thread.sleep(20);
        }
        throw new IllegalStateException(node + " never reported pid " + pid + " Running");
    }

    private static Path writePackage(Path pkg, double cpu) throws IOException {
        Files.createDirectories(pkg.resolve("RestartPackage/CallbackCode"));
        Files.writeString(pkg.resolve("capstan-app.yaml"), """
                applicationType: RestartBenchType
                version: 1.0.0
                parameters:
                  CallbackPort: "0"
                servicePackages:
                  - name: RestartPackage
                    version: 1.0.0
                    serviceTypes:
                      - {name: CallbackType, kind: stateless, codePackage: CallbackCode}
                    codePackages:
                      - name: CallbackCode
                        version: 1.0.0
                        process:
                          command: /bin/bash
                          args: ["-c", "%s"]
                          env: {BENCH_CALLBACK_PORT: "[CallbackPort]"}
                        resources: {cpu: %s, memoryMiB: 64}
                """.formatted(PROGRAM.replace("\\", "\\\\").replace("\"", "\\\""), cpu));
        return pkg;
    }

    /** One server and one agent in this JVM, as a dev cluster has, with the agent's name given. */
    private static final class OneNodeCluster implements AutoCloseable {
        private final Path dir;
        private final String node;
        private CapstanServer server;
        private NodeAgent agent;

        OneNodeCluster(Path dir, String node) {
            this.dir = dir;
            this.node = node;
        }

        void start() throws IOException {
            server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + BenchApi.freePort(), BenchApi.freePort(),
                    dir.resolve("server"))).start();
            agent = new NodeAgent(AgentConfig.builder(node, dir.resolve(node)).server(server.apiUrl())
                    .faultDomain("fd:/rack1").upgradeDomain("UD1").capacities(Map.of("cpu", 4.0, "memoryMiB", 4096.0))
                    .endpointPorts(new PortRange(30000, 30099)).build());
            agent.start();
        }

        String apiUrl() {
            return server.apiUrl();
        }

        /** As a dev cluster stops: the agent with its workloads (which would outlive it otherwise), then the server. */
        @Override
        public void close() throws InterruptedException {
            try {
                if (agent != null) {
                    agent.closeAndStopWorkloads(Duration.ofSeconds(30));
                }
            } finally {
                if (server != null) {
                    server.close();
                }
            }
        }
    }

    /** One accepted connection: when it was accepted and the pid the program sent. */
    private record Callback(long pid, long acceptedAt, Socket socket) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** The listening side: a thread blocked in accept() stamps each connection the moment it arrives. */
    private static final class Callbacks implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final BlockingQueue<Callback> accepted = new LinkedBlockingQueue<>();
        private final Thread acceptor;

        Callbacks() throws IOException {
            acceptor = Thread.ofPlatform().name("bench-callbacks").daemon().start(this::acceptLoop);
        }

        int port() {
            return server.getLocalPort();
        }

        Callback next() throws InterruptedException {
            Callback c = accepted.poll(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (c == null) {
                throw new IllegalStateException("no program connected back within " + CONNECT_TIMEOUT);
            }
            return c;
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    long at = System.nanoTime();
                    s.setSoTimeout(5000);
                    String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                    if (line == null) {
                        s.close();
                        continue;
                    }
                    accepted.add(new Callback(Long.parseLong(line.trim()), at, s));
                } catch (SocketException e) {
                    return; // closed
                } catch (IOException | NumberFormatException e) {
                    System.err.println("callback: " + e);
                }
            }
        }

        @Override
        public void close() throws IOException, InterruptedException {
            server.close();
            acceptor.join(5000);
            for (Callback c : accepted) {
                c.close();
            }
        }
    }
}
