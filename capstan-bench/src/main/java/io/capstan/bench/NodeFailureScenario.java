package io.capstan.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.agent.AgentConfig;
import io.capstan.agent.cgroup.Cgroups;
import io.capstan.dist.Main;
import io.capstan.server.ServerConfig;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A node agent's JVM killed (SIGKILL) until every replica it hosted is Ready elsewhere, on a server and four
 * agents run as separate JVMs (as on real machines) with default settings. The application: a stateful
 * ExclusiveProcess service of 4 partitions x 3 replicas and a stateless one with an instance on every node.
 * Progress is watched with blocking reads ({@code ?index=N&wait=1s}), which answer as soon as the state
 * changes, so the resolution is one HTTP round trip, not a poll interval. Each kill comes at a random moment
 * within one heartbeat interval, and the victims rotate over the nodes that hold stateful replicas.
 */
final class NodeFailureScenario {

    static final int AGENTS = 4;
    static final int PARTITIONS = 4;
    static final int REPLICAS = 3;
    /** The server runs with its default --node-down-after: the goal is about default settings. */
    static final Duration GRACE = ServerConfig.DEFAULT_NODE_DOWN_AFTER;
    /** The agents' default heartbeat interval (AgentConfig); kills are spread over one of these. */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /** Reference points, not measured: Kubernetes evicts pods from an unreachable node after 300 s by default. */
    static final double KUBERNETES_EVICTION_MS = 300_000;
    /** Nomad's default heartbeat grace is 10 s (on top of the heartbeat TTL). */
    static final double NOMAD_HEARTBEAT_GRACE_MS = 10_000;

    private static final String APP = "NodeBench";
    /** Agents get disjoint endpoint port slices from here; the package declares no endpoints, so none is bound. */
    private static final int FIRST_ENDPOINT_PORT = 33000;
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(180);

    /**
     * One kill: which node, what it held, the milestones in ms after the kill, and how old the node's last
     * heartbeat (as the server recorded it) was at the kill, which is what decides when the grace runs out.
     */
    record Run(String victim, int replicasOnVictim, int primariesOnVictim, long phaseDelayMs, double downMs, double placedMs,
               double readyMs, double heartbeatAgeAtKillMs) {

        /** From the grace running out (last heartbeat + grace) until Down was seen: the liveness check's lag. */
        double downAfterGraceMs() {
            return downMs - (GRACE.toMillis() - heartbeatAgeAtKillMs);
        }
    }

    /** When the benchmark saw the node Down, and the last heartbeat the server had from it. */
    private record DownSeen(long at, Instant lastHeartbeat) {
    }

    /** Every run, in order. */
    record Result(List<Run> runs) {

        List<Double> killToDown() {
            return runs.stream().map(Run::downMs).toList();
        }

        List<Double> killToReady() {
            return runs.stream().map(Run::readyMs).toList();
        }

        List<Double> downToPlaced() {
            return runs.stream().map(r -> r.placedMs() - r.downMs()).toList();
        }

        List<Double> placedToReady() {
            return runs.stream().map(r -> r.readyMs() - r.placedMs()).toList();
        }

        List<Double> downToReady() {
            return runs.stream().map(r -> r.readyMs() - r.downMs()).toList();
        }

        List<Double> heartbeatAgeAtKill() {
            return runs.stream().map(Run::heartbeatAgeAtKillMs).toList();
        }

        List<Double> downAfterGrace() {
            return runs.stream().map(Run::downAfterGraceMs).toList();
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cluster", "1 server + " + AGENTS + " agent JVMs, default settings");
            m.put("application", "stateful ExclusiveProcess " + PARTITIONS + " partitions x " + REPLICAS
                    + " replicas + stateless ExclusiveProcess instanceCount -1");
            m.put("measuredWith", "blocking reads ?index=N&wait=1s on the replicas and on the killed node");
            m.put("killPhase", "each kill delayed by a seeded random 0-" + HEARTBEAT_INTERVAL.toMillis()
                    + " ms after the cluster settled (phaseDelayMs), so it lands anywhere between two heartbeats");
            m.put("nodeDownAfterMs", (double) GRACE.toMillis());
            m.put("runs", runs.size());
            m.put("killToReady", Samples.summary(killToReady()));
            m.put("killToDown", Samples.summary(killToDown()));
            m.put("downToPlaced", Samples.summary(downToPlaced()));
            m.put("placedToReady", Samples.summary(placedToReady()));
            m.put("downToReady", Samples.summary(downToReady()));
            m.put("heartbeatAgeAtKill", Samples.summary(heartbeatAgeAtKill()));
            m.put("downAfterGrace", Samples.summary(downAfterGrace()));
            m.put("killToReadyMs", killToReady());
            m.put("killToDownMs", killToDown());
            m.put("downToPlacedMs", downToPlaced());
            m.put("placedToReadyMs", placedToReady());
            m.put("downToReadyMs", downToReady());
            m.put("heartbeatAgeAtKillMs", heartbeatAgeAtKill());
            m.put("downAfterGraceMs", downAfterGrace());
            m.put("samples", runs);
            m.put("referenceKubernetesEvictionMs", KUBERNETES_EVICTION_MS);
            m.put("referenceNomadHeartbeatGraceMs", NOMAD_HEARTBEAT_GRACE_MS);
            return m;
        }
    }

    private final Path dir;
    private final BenchProcesses processes;
    private final Map<String, Process> agents = new TreeMap<>();
    private final Random random = new Random(42);
    // Node names of this run only, so its nodes are easy to tell apart in logs and cgroups.
    private final String nodePrefix = "failover-bench-" + ProcessHandle.current().pid() + "-node-";
    private BenchApi api;

    NodeFailureScenario(Path dir, BenchProcesses processes) {
        this.dir = dir;
        this.processes = processes;
    }

    Result run(int runs) throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        int apiPort = BenchApi.freePort();
        api = new BenchApi("http://127.0.0.1:" + apiPort);
        processes.trackApi(api.url());
        processes.afterAll(this::removeCgroups);
        Process server = start("server", "server", "--name", "s1", "--raft-address", "127.0.0.1:" + BenchApi.freePort(),
                "--api-port", Integer.toString(apiPort), "--data", dir.resolve("server").toString());
        try {
            for (int i = 1; i <= AGENTS; i++) {
                agents.put(nodePrefix + i, startAgent(i));
            }
            api.awaitNodesUp(AGENTS, Duration.ofSeconds(120));
            api.registerPackage(writePackage(dir.resolve("pkg")));
            api.post("/v1/apps", Map.of("name", APP, "type", "NodeBenchType", "version", "1.0.0"));
            awaitRecovered(null);

            List<Run> results = new ArrayList<>();
            int rotation = 0;
            for (int run = 0; run < runs; run++) {
                List<JsonNode> ledger = replicas("Ledger");
                String victim = null;
                for (int tries = 0; tries < AGENTS && victim == null; tries++) {
                    String candidate = nodePrefix + (rotation++ % AGENTS + 1);
                    if (ledger.stream().anyMatch(r -> onNode(r, candidate))) {
                        victim = candidate;
                    }
                }
                if (victim == null) {
                    throw new IllegalStateException("no node hosts Ledger replicas");
                }
                // Recovery ends on a commit, and every agent reports (which the server counts as a heartbeat)
                // ~100 ms after the commits it sees, so a kill right then always found a fresh heartbeat (median
                // 130 ms old over 20 runs) and detection took nearly the whole grace every time. A node fails
                // at any moment: spread the kills over one heartbeat interval.
                long phase = random.nextLong(HEARTBEAT_INTERVAL.toMillis());
                Thread.sleep(phase);
                Run r = killAndMeasure(victim, phase);
                results.add(r);
                System.err.printf(Locale.ROOT, "node run %d/%d: killed %s (%d replicas, %d primaries): Down after %.0f ms,"
                                + " placed %.0f ms, all Ready %.0f ms%n", run + 1, runs, victim, r.replicasOnVictim(),
                        r.primariesOnVictim(), r.downMs(), r.placedMs(), r.readyMs());
                agents.put(victim, startAgent(Integer.parseInt(victim.substring(nodePrefix.length()))));
                awaitRecovered(victim);
            }
            return new Result(results);
        } finally {
            for (Process agent : agents.values()) {
                processes.kill(agent);
            }
            processes.kill(server);
            processes.killWorkloads(Set.of(api.url()));
            removeCgroups();
        }
    }

    /** Killed agents leave their workloads' cgroups behind; the scopes are this run's own, so remove them. */
    private void removeCgroups() {
        for (int i = 1; i <= AGENTS; i++) {
            String scope = AgentConfig.builder(nodePrefix + i, dir.resolve("node-" + i)).build().cgroupScope();
            try {
                Cgroups.removeLeftovers(AgentConfig.DEFAULT_CGROUP_ROOT, scope);
            } catch (IOException | RuntimeException e) {
                System.err.println("cleanup: cannot remove the cgroups of " + scope + ": " + e);
            }
        }
    }

    /** SIGKILL the victim's agent JVM and watch the node and the replicas until all of its replicas are Ready elsewhere. */
    private Run killAndMeasure(String victim, long phaseDelayMs) throws Exception {
        HttpResponse<String> before = api.get("/v1/apps/" + APP + "/services/Ledger/replicas");
        long index = BenchApi.index(before, 0);
        List<JsonNode> ledger = items(api.body(before));
        int onVictim = (int) ledger.stream().filter(r -> onNode(r, victim)).count();
        int primaries = (int) ledger.stream().filter(r -> onNode(r, victim) && r.path("role").asText().equals("Primary")).count();
        Process agent = agents.remove(victim);

        Instant killedAt = Instant.now();
        long start = System.nanoTime();
        agent.destroyForcibly();
        // The node's status is watched by its own blocking read, so Down is stamped when it is committed,
        // not when the replica watch happens to wake.
        CompletableFuture<DownSeen> down = CompletableFuture.supplyAsync(() -> awaitDown(victim, index),
                r -> Thread.ofVirtual().start(r));
        long placedAt = -1;
        long readyAt = -1;
        long deadline = start + FAILOVER_TIMEOUT.toNanos();
        long seen = index;
        while (readyAt < 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("replicas of " + victim + " not Ready elsewhere after " + FAILOVER_TIMEOUT
                        + ": " + replicas("Ledger"));
            }
            HttpResponse<String> r = api.get("/v1/apps/" + APP + "/services/Ledger/replicas?index=" + seen + "&wait=1s");
            long now = System.nanoTime();
            seen = BenchApi.index(r, seen);
            List<JsonNode> replicas = items(api.body(r));
            boolean placed = placedElsewhere(replicas, victim);
            if (placed && placedAt < 0) {
                placedAt = now;
            }
            if (placed && replicas.stream().allMatch(x -> x.path("status").asText().equals("Ready"))
                    && edgeReadyElsewhere(victim)) {
                readyAt = now;
            }
        }
        processes.kill(agent);
        DownSeen seenDown;
        try {
            seenDown = down.get(FAILOVER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("watching " + victim + " for Down failed", e.getCause());
        }
        return new Run(victim, onVictim, primaries, phaseDelayMs, ms(start, seenDown.at()), ms(start, placedAt),
                ms(start, readyAt), Duration.between(seenDown.lastHeartbeat(), killedAt).toNanos() / 1e6);
    }

    private DownSeen awaitDown(String victim, long index) {
        long seen = index;
        long deadline = System.nanoTime() + FAILOVER_TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                HttpResponse<String> r = api.get("/v1/nodes/" + victim + "?index=" + seen + "&wait=1s");
                long now = System.nanoTime();
                seen = BenchApi.index(r, seen);
                JsonNode node = api.body(r);
                if (node.path("status").asText().equals("Down")) {
                    return new DownSeen(now, Instant.parse(node.path("lastHeartbeat").asText()));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException(victim + " not marked Down after " + FAILOVER_TIMEOUT);
    }

    /** Every partition has exactly its replicas, none on the victim, exactly one Primary (Ready or not yet). */
    private static boolean placedElsewhere(List<JsonNode> replicas, String victim) {
        if (replicas.stream().anyMatch(r -> onNode(r, victim))) {
            return false;
        }
        Map<String, List<JsonNode>> byPartition = new HashMap<>();
        replicas.forEach(r -> byPartition.computeIfAbsent(r.path("partitionId").asText(), k -> new ArrayList<>()).add(r));
        return byPartition.size() == PARTITIONS && byPartition.values().stream().allMatch(p -> p.size() == REPLICAS
                && p.stream().filter(r -> r.path("role").asText().equals("Primary")).count() == 1
                && p.stream().map(r -> r.path("node").asText()).distinct().count() == REPLICAS);
    }

    /** The stateless service: its instance on the victim is gone (-1 does not move it), the others all Ready. */
    private boolean edgeReadyElsewhere(String victim) throws Exception {
        List<JsonNode> edge = replicas("Edge");
        return edge.size() == AGENTS - 1 && edge.stream().noneMatch(r -> onNode(r, victim))
                && edge.stream().allMatch(r -> r.path("status").asText().equals("Ready"));
    }

    /**
     * Not measured: waits until the returned node (if any) is Up, the application converged with every replica
     * Ready, and exactly one workload process runs per replica (the returning agent stopped what it no longer holds).
     */
    private void awaitRecovered(String returned) throws Exception {
        long deadline = System.nanoTime() + RECOVERY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            boolean up = returned == null || api.getJson("/v1/nodes/" + returned).path("status").asText().equals("Up");
            JsonNode app = api.getJson("/v1/apps/" + APP);
            int wanted = PARTITIONS * REPLICAS + AGENTS;
            if (up && app.path("converged").asBoolean() && app.path("replicas").path("ready").asInt() == wanted
                    && BenchProcesses.workloadsOf(Set.of(api.url()), true).size() == wanted) {
                return;
            }
            // Why a fixed delay: an agent JVM is starting; this wait is outside any measurement.
            Thread.sleep(100);
        }
        throw new IllegalStateException("the cluster did not recover within " + RECOVERY_TIMEOUT + " (node " + returned
                + "): " + api.getJson("/v1/apps/" + APP) + ", workloads " + BenchProcesses.workloadsOf(Set.of(api.url()), true));
    }

    private Process startAgent(int i) throws IOException {
        int first = FIRST_ENDPOINT_PORT + i * 100;
        return start("node-" + i, "agent", "--servers", api.url(), "--name", nodePrefix + i, "--fault-domain", "fd:/rack" + i,
                "--upgrade-domain", "UD" + i, "--data", dir.resolve("node-" + i).toString(), "--capacity", "cpu=4,memory=4096",
                "--endpoint-ports", first + "-" + (first + 99));
    }

    /** {@code capstan <role> ...} as its own JVM on this benchmark's class path, its output in a log file. */
    private Process start(String logName, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Path log = dir.resolve("logs").resolve(logName + "-" + System.nanoTime() + ".log");
        return processes.track(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
    }

    private List<JsonNode> replicas(String service) throws Exception {
        return items(api.getJson("/v1/apps/" + APP + "/services/" + service + "/replicas"));
    }

    private static List<JsonNode> items(JsonNode list) {
        List<JsonNode> out = new ArrayList<>();
        list.path("items").forEach(out::add);
        return out;
    }

    private static boolean onNode(JsonNode replica, String node) {
        return replica.path("node").asText().equals(node);
    }

    private static double ms(long start, long at) {
        return (at - start) / 1e6;
    }

    private static Path writePackage(Path pkg) throws IOException {
        Files.createDirectories(pkg.resolve("NodePackage/Host"));
        Files.writeString(pkg.resolve("capstan-app.yaml"), """
                applicationType: NodeBenchType
                version: 1.0.0
                servicePackages:
                  - name: NodePackage
                    version: 1.0.0
                    serviceTypes:
                      - {name: EdgeType, kind: stateless, codePackage: Host}
                      - {name: LedgerType, kind: stateful, codePackage: Host}
                    codePackages:
                      - name: Host
                        version: 1.0.0
                        process: {command: sleep, args: ["3600"]}
                        resources: {cpu: 0.1, memoryMiB: 16}
                defaultServices:
                  - name: Edge
                    serviceType: EdgeType
                    activation: ExclusiveProcess
                    instanceCount: -1
                  - name: Ledger
                    serviceType: LedgerType
                    activation: ExclusiveProcess
                    partitions: {scheme: UniformInt64Range, low: 0, high: 999, count: %d}
                    targetReplicaSetSize: %d
                    minReplicaSetSize: 2
                """.formatted(PARTITIONS, REPLICAS));
        return pkg;
    }
}
