package io.capstan.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.dist.Main;
import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import io.capstan.placement.NodeCandidate;
import io.capstan.placement.PartitionDemand;
import io.capstan.placement.PlacementPlan;
import io.capstan.placement.PlacementPlanner;
import io.capstan.placement.PlacementProblem;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The control plane at scale, measured as a user meets it: a real {@code capstan server} JVM, thousands of
 * simulated nodes registered and heartbeating over the REST API (at the interval the server asks for), and a
 * mix of services (stateful and stateless, partitioned, shared and exclusive, with constraints) created through
 * the REST API until the replica count is reached. It reports the time from the first create until every
 * replica is placed in the committed state, the server's peak heap and RSS, snapshot size and time, restart
 * time, small-write and assignment-wake latency at that size and the heartbeats per second absorbed; the pure
 * planner runs on the same shape in this JVM, and the ratio of the two throughputs is printed.
 *
 * <pre>
 * java -Xmx2g -cp ... io.capstan.bench.ControlPlaneScaleBenchmark [--nodes 10000] [--replicas 1000000] [--server-heap 2g]
 *     [--server-jfr server.jfr]
 * </pre>
 */
public final class ControlPlaneScaleBenchmark {

    private static final String MANIFEST = """
            applicationType: ScaleType
            version: 1.0.0
            servicePackages:
              - name: SmallPkg
                version: 1.0.0
                serviceTypes:
                  - {name: SmallStateful, kind: stateful, codePackage: Code}
                  - {name: SmallStateless, kind: stateless, codePackage: Code}
                codePackages:
                  - {name: Code, version: 1.0.0, process: {command: ./run.sh}, resources: {cpu: 0.05, memoryMiB: 64}}
              - name: LargePkg
                version: 1.0.0
                serviceTypes:
                  - {name: LargeStateful, kind: stateful, codePackage: Code}
                  - {name: LargeStateless, kind: stateless, codePackage: Code}
                codePackages:
                  - {name: Code, version: 1.0.0, process: {command: ./run.sh}, resources: {cpu: 0.1, memoryMiB: 128}}
            """;
    private static final Pattern GC_HEAP = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final Map<String, Double> SMALL = Map.of("cpu", 0.05, "memoryMiB", 64.0);
    private static final Map<String, Double> LARGE = Map.of("cpu", 0.1, "memoryMiB", 128.0);

    /** One service the benchmark creates, as the REST body says it and as the planner's demand sees it. */
    private record ServicePlan(String app, String name, String type, boolean stateful, boolean exclusive, int partitions,
                               int replicasPerPartition, String constraint) {
        int replicas() {
            return partitions * replicasPerPartition;
        }

        Map<String, Object> body() {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("name", name);
            b.put("serviceType", type);
            b.put("activation", exclusive ? "ExclusiveProcess" : "SharedProcess");
            b.put("partitions", partitions == 1 ? Map.of("scheme", "Singleton")
                    : Map.of("scheme", "UniformInt64Range", "low", 0, "high", 1_000_000_000L, "count", partitions));
            if (stateful) {
                b.put("targetReplicaSetSize", replicasPerPartition);
                b.put("minReplicaSetSize", replicasPerPartition - 1);
            } else {
                b.put("instanceCount", replicasPerPartition);
            }
            if (!constraint.isEmpty()) {
                b.put("placementConstraints", constraint);
            }
            return b;
        }
    }

    private final int nodeCount;
    private final int replicaTarget;
    private final String serverHeap;
    private final String serverJfr;
    private final Path dir;
    private final BenchProcesses processes = new BenchProcesses();
    private final AtomicBoolean heartbeating = new AtomicBoolean(true);
    private final AtomicLong beats = new AtomicLong();
    private final AtomicLong heartbeatIntervalMillis = new AtomicLong(1000);
    private BenchApi api;
    private Process server;
    private int apiPort;
    private int serverStarts;
    private int raftPort;

    private ControlPlaneScaleBenchmark(int nodeCount, int replicaTarget, String serverHeap, String serverJfr, Path dir) {
        this.nodeCount = nodeCount;
        this.replicaTarget = replicaTarget;
        this.serverHeap = serverHeap;
        this.serverJfr = serverJfr;
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        int nodes = BenchArgs.intArg(args, "--nodes", 10_000);
        int replicas = BenchArgs.intArg(args, "--replicas", 1_000_000);
        String heap = BenchArgs.stringArg(args, "--server-heap", "2g");
        Path out = Path.of(BenchArgs.stringArg(args, "--out", "bench-results/control-plane.json"));
        Path dir = Files.createTempDirectory("capstan-scale");
        // --server-jfr FILE records the (first) server JVM with JFR, to see where its time goes.
        String jfr = BenchArgs.stringArg(args, "--server-jfr", "");
        ControlPlaneScaleBenchmark bench = new ControlPlaneScaleBenchmark(nodes, replicas, heap, jfr, dir);
        try (bench.processes) {
            Map<String, Object> results = bench.run();
            BenchResults.write(out, results);
        } catch (Exception | Error e) {
            bench.printServerLogTails();
            throw e;
        } finally {
            BenchFiles.deleteTree(dir);
        }
    }

    /** A failed run says what the server said last: its logs go with the temporary folder. */
    private void printServerLogTails() throws IOException {
        Path logs = dir.resolve("logs");
        if (!Files.isDirectory(logs)) {
            return;
        }
        try (var files = Files.list(logs)) {
            for (Path log : files.sorted().toList()) {
                List<String> lines = Files.readAllLines(log);
                System.err.println("--- last lines of " + log.getFileName());
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.err::println);
            }
        }
    }

    private Map<String, Object> run() throws Exception {
        apiPort = BenchApi.freePort();
        raftPort = BenchApi.freePort();
        api = new BenchApi("http://127.0.0.1:" + apiPort);
        startServer();
        Path pkg = dir.resolve("pkg");
        Files.createDirectories(pkg.resolve("SmallPkg/Code"));
        Files.createDirectories(pkg.resolve("LargePkg/Code"));
        Files.writeString(pkg.resolve("capstan-app.yaml"), MANIFEST);
        for (String p : List.of("SmallPkg", "LargePkg")) {
            Path run = pkg.resolve(p + "/Code/run.sh");
            Files.writeString(run, "#!/bin/sh\nexec sleep 3600\n");
            run.toFile().setExecutable(true);
        }
        api.registerPackage(pkg);

        long registerStart = System.nanoTime();
        registerNodes();
        double registerSeconds = (System.nanoTime() - registerStart) / 1e9;
        Thread heartbeats = Thread.ofVirtual().start(this::heartbeatNodes);

        List<ServicePlan> services = services();
        int expected = services.stream().mapToInt(ServicePlan::replicas).sum();
        long createStart = System.nanoTime();
        createServices(services);
        double createdSeconds = (System.nanoTime() - createStart) / 1e9;
        awaitPlaced(expected, Duration.ofMinutes(10));
        double placedSeconds = (System.nanoTime() - createStart) / 1e9;
        System.out.printf("%,d replicas of %d services placed %.1f s after the first create (creates took %.1f s)%n",
                expected, services.size(), placedSeconds, createdSeconds);

        List<Double> writes = smallWrites(200);
        List<Double> wakes = assignmentWakes(30);
        double absorbed = heartbeatFlood(Duration.ofSeconds(5));
        JsonNode snapshot = api.body(api.send(api.request("/v1/cluster/snapshot").POST(java.net.http.HttpRequest.BodyPublishers.noBody())));
        long rssPeakKiB = peakRssKiB(server.pid());
        double heapPeakMiB = heapPeakMiB();
        heartbeating.set(false);
        heartbeats.join();

        double restartSeconds = restart(expected);

        double plannerSeconds = plannerAlone(services);
        double endToEnd = expected / placedSeconds;
        double planner = expected / plannerSeconds;

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nodes", nodeCount);
        m.put("services", services.size());
        m.put("replicas", expected);
        m.put("registerNodesSeconds", registerSeconds);
        m.put("firstCreateToAllPlacedSeconds", placedSeconds);
        m.put("placementsPerSecondEndToEnd", endToEnd);
        m.put("plannerAloneSeconds", plannerSeconds);
        m.put("placementsPerSecondPlannerAlone", planner);
        m.put("endToEndOverPlanner", endToEnd / planner);
        m.put("serverHeapPeakMiB", heapPeakMiB);
        m.put("serverRssPeakMiB", rssPeakKiB / 1024.0);
        m.put("snapshotBytes", snapshot.path("bytes").asLong());
        m.put("snapshotWriteMillis", snapshot.path("millis").asLong());
        m.put("restartToServingSeconds", restartSeconds);
        m.put("smallWriteMillis", Samples.summary(writes));
        m.put("assignmentWakeMillis", Samples.summary(wakes));
        m.put("heartbeatIntervalMillis", heartbeatIntervalMillis.get());
        m.put("heartbeatsPerSecondAbsorbed", absorbed);
        printTable(m);
        return m;
    }

    private void startServer() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + serverHeap,
                "-Xlog:gc:file=" + dir.resolve("gc-" + System.nanoTime() + ".log"), "--enable-native-access=ALL-UNNAMED"));
        serverStarts++;
        if (!serverJfr.isEmpty()) { // the restarted server records to a file of its own
            command.add("-XX:StartFlightRecording=filename=" + jfrFile() + ",settings=profile");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "server", "--name", "s1", "--raft-address", "127.0.0.1:" + raftPort, "--api-port", Integer.toString(apiPort),
                "--data", dir.resolve("server").toString(), "--no-event-log"));
        Files.createDirectories(dir.resolve("logs"));
        server = processes.track(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("logs/server-" + System.nanoTime() + ".log").toFile()).start());
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            try {
                if (!api.getJson("/v1/cluster/status").path("leader").isMissingNode()
                        && !api.getJson("/v1/cluster/status").path("leader").isNull()) {
                    return;
                }
            } catch (IOException | IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            // Why a fixed delay: the server JVM is starting; there is nothing to block on until its API is up.
            Thread.sleep(100);
        }
    }

    private String nodeName(int i) {
        return String.format("node-%05d", i);
    }

    /** Every node registers over the API, 64 at a time; 50 fault domains × 10 upgrade domains, three node types. */
    private void registerNodes() throws Exception {
        try (var pool = Executors.newFixedThreadPool(64)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < nodeCount; i++) {
                int n = i;
                done.add(pool.submit(() -> {
                    String type = n % 10 < 2 ? "frontend" : n % 10 < 8 ? "backend" : "data";
                    api.post("/v1/nodes", Map.of("name", nodeName(n), "address", "127.0.0.1",
                            "faultDomain", String.format("fd:/dc1/rack%02d", n % 50), "upgradeDomain", "UD" + (n / 50) % 10,
                            "capacities", Map.of("cpu", 32.0, "memoryMiB", 131072.0), "properties", Map.of("NodeType", type)));
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    /** Every node heartbeats at the interval the server answers with, spread over that interval. */
    private void heartbeatNodes() {
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < nodeCount; i++) {
                int n = i;
                threads.submit(() -> {
                    long interval = heartbeatIntervalMillis.get();
                    // Why a fixed delay: spread the first beats over one interval, as agents started apart would be.
                    Thread.sleep((long) (new SplittableRandom(n).nextDouble() * interval));
                    while (heartbeating.get()) {
                        long started = System.nanoTime();
                        try {
                            JsonNode answer = api.body(api.post("/v1/nodes/" + nodeName(n) + "/heartbeat", Map.of()));
                            heartbeatIntervalMillis.set(answer.path("nextHeartbeatMillis").asLong(interval));
                            interval = heartbeatIntervalMillis.get();
                            beats.incrementAndGet();
                        } catch (IOException | IllegalStateException e) {
                            // The server is busy or restarting: the next beat tries again.
                        }
                        long left = interval - (System.nanoTime() - started) / 1_000_000;
                        // Why a fixed delay: a heartbeat is a periodic signal by definition.
                        Thread.sleep(Math.max(0, left));
                    }
                    return null;
                });
            }
        }
    }

    /**
     * The mix: stateful services of 100 to 2,000 partitions × 3 replicas and stateless ones of 100 to 1,000
     * partitions × 1–5 instances, a third of them exclusive, a quarter constrained to backend nodes, in
     * applications of four services, until the replica target is reached.
     */
    private List<ServicePlan> services() {
        SplittableRandom random = new SplittableRandom(42);
        int[] statefulPartitions = {100, 500, 1000, 2000};
        int[] statelessPartitions = {100, 500, 1000};
        List<ServicePlan> out = new ArrayList<>();
        int replicas = 0;
        while (replicas < replicaTarget) {
            int index = out.size();
            boolean stateful = random.nextBoolean();
            boolean large = random.nextBoolean();
            int partitions = stateful ? statefulPartitions[random.nextInt(statefulPartitions.length)]
                    : statelessPartitions[random.nextInt(statelessPartitions.length)];
            int perPartition = stateful ? 3 : 1 + random.nextInt(5);
            partitions = Math.max(1, Math.min(partitions, (replicaTarget - replicas + perPartition - 1) / perPartition));
            String type = (large ? "Large" : "Small") + (stateful ? "Stateful" : "Stateless");
            ServicePlan s = new ServicePlan("App" + index / 4, "Svc" + index % 4, type, stateful, random.nextInt(3) == 0,
                    partitions, perPartition, random.nextInt(4) == 0 ? "NodeType == \"backend\"" : "");
            out.add(s);
            replicas += s.replicas();
        }
        return out;
    }

    private void createServices(List<ServicePlan> services) throws Exception {
        String app = null;
        for (ServicePlan s : services) {
            if (!s.app().equals(app)) {
                app = s.app();
                api.post("/v1/apps", Map.of("name", app, "type", "ScaleType", "version", "1.0.0"));
            }
            api.post("/v1/apps/" + s.app() + "/services", s.body());
        }
    }

    /** Blocking reads on the cluster status until the committed state holds every replica. */
    private void awaitPlaced(int expected, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long index = 0;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = api.get("/v1/cluster/status?index=" + index + "&wait=5s");
            index = BenchApi.index(r, index);
            if (api.body(r).path("replicas").path("total").asInt() >= expected) {
                return;
            }
        }
        throw new IllegalStateException("not every replica was placed within " + timeout);
    }

    /** A small write through the log at this size: a health report on one node, answered once committed. */
    private List<Double> smallWrites(int count) throws Exception {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long started = System.nanoTime();
            api.post("/v1/health/reports", Map.of("reports", List.of(Map.of("entity", "node:" + nodeName(i % nodeCount),
                    "sourceId", "Bench.Write", "property", "p", "healthState", "Ok", "sequenceNumber", i))));
            out.add((System.nanoTime() - started) / 1e6);
        }
        return out;
    }

    /**
     * From creating a one-replica service pinned to a node until that node's blocking assignment query
     * answers with it: commit, incremental placement, plan commit, and the wake of one watcher among thousands.
     */
    private List<Double> assignmentWakes(int count) throws Exception {
        api.post("/v1/apps", Map.of("name", "Probe", "type", "ScaleType", "version", "1.0.0"));
        List<Double> out = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < count; i++) {
            String node = nodeName((i * 7919) % nodeCount);
            long index = BenchApi.index(api.get("/v1/nodes/" + node + "/assignment"), 0);
            AtomicLong wokeAt = new AtomicLong();
            Thread watcher = Thread.ofVirtual().start(() -> {
                try {
                    api.get("/v1/nodes/" + node + "/assignment?index=" + index + "&wait=60s");
                    wokeAt.set(System.nanoTime());
                } catch (Exception e) {
                    failures.add(e);
                }
            });
            // No need to wait for the query to be parked first: one that arrives after the change is answered at once,
            // and either way it can only answer once the change is committed, so the time below is create → wake.
            long started = System.nanoTime();
            api.post("/v1/apps/Probe/services", Map.of("name", "Pin" + i, "serviceType", "SmallStateless",
                    "instanceCount", 1, "placementConstraints", "NodeName == \"" + node + "\""));
            watcher.join();
            if (!failures.isEmpty()) {
                throw new IllegalStateException(failures.peek());
            }
            out.add((wokeAt.get() - started) / 1e6);
        }
        return out;
    }

    /** As many heartbeats as 64 clients can send for {@code length}, on top of the steady ones: what the API absorbs. */
    private double heartbeatFlood(Duration length) throws Exception {
        AtomicLong sent = new AtomicLong();
        long end = System.nanoTime() + length.toNanos();
        try (var pool = Executors.newFixedThreadPool(64)) {
            for (int t = 0; t < 64; t++) {
                int thread = t;
                pool.submit(() -> {
                    int i = thread;
                    while (System.nanoTime() < end) {
                        api.post("/v1/nodes/" + nodeName(i % nodeCount) + "/heartbeat", Map.of());
                        sent.incrementAndGet();
                        i += 64;
                    }
                    return null;
                });
            }
        }
        return sent.get() / (length.toNanos() / 1e9);
    }

    /** SIGKILL, then a new server JVM on the same data: seconds until it serves the whole state again. */
    private double restart(int expected) throws Exception {
        dumpRecording();
        processes.kill(server);
        long started = System.nanoTime();
        startServer();
        while (api.getJson("/v1/cluster/status").path("replicas").path("total").asInt() < expected) {
            // Why a fixed delay: the state is replaying; the status read is cheap.
            Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        printRestartLog();
        dumpRecording();
        return seconds;
    }

    private String jfrFile() {
        return serverStarts <= 1 ? serverJfr : serverJfr.replaceFirst("(\\.jfr)?$", ".restart.jfr");
    }

    /** Writes the server's recording now: it would be lost with a SIGKILL. */
    private void dumpRecording() throws IOException, InterruptedException {
        if (!serverJfr.isEmpty()) {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            new ProcessBuilder(jcmd.toString(), Long.toString(server.pid()), "JFR.dump", "filename=" + jfrFile())
                    .inheritIO().start().waitFor();
        }
    }

    /** Where the restart's time went, as the restarted server logged it. */
    private void printRestartLog() throws IOException {
        try (var files = Files.list(dir.resolve("logs"))) {
            Path newest = files.max(java.util.Comparator.naturalOrder()).orElseThrow();
            Files.readAllLines(newest).stream()
                    .filter(l -> l.contains("loaded snapshot") || l.contains("now the leader") || l.contains("listening"))
                    .forEach(l -> System.out.println("restart: " + l));
        }
    }

    /** The planner alone, in this JVM, on the same nodes and services. */
    private double plannerAlone(List<ServicePlan> services) {
        List<NodeCandidate> nodes = new ArrayList<>();
        for (int n = 0; n < nodeCount; n++) {
            String type = n % 10 < 2 ? "frontend" : n % 10 < 8 ? "backend" : "data";
            nodes.add(new NodeCandidate(nodeName(n), String.format("fd:/dc1/rack%02d", n % 50), "UD" + (n / 50) % 10,
                    Map.of("cpu", 32.0, "memoryMiB", 131072.0), Map.of("NodeType", type), true));
        }
        List<PartitionDemand> demands = new ArrayList<>();
        long id = 0;
        for (ServicePlan s : services) {
            String group = s.exclusive() ? null : s.app() + "/" + (s.type().startsWith("Large") ? "LargePkg" : "SmallPkg");
            for (int p = 0; p < s.partitions(); p++) {
                demands.add(new PartitionDemand(new ServiceName(s.app(), s.name()), new UUID(7, id++),
                        s.stateful() ? ServiceKind.STATEFUL : ServiceKind.STATELESS, s.replicasPerPartition(), s.constraint(),
                        group, s.type().startsWith("Large") ? LARGE : SMALL, List.of()));
            }
        }
        long started = System.nanoTime();
        PlacementPlan plan = new PlacementPlanner().plan(new PlacementProblem(nodes, demands));
        double seconds = (System.nanoTime() - started) / 1e9;
        if (!plan.failures().isEmpty()) {
            throw new IllegalStateException("the planner could not place everything: " + plan.failures().get(0));
        }
        return seconds;
    }

    private static long peakRssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    /** The largest heap occupancy before a collection, from the server's GC logs. */
    private double heapPeakMiB() throws IOException {
        long peak = 0;
        try (var files = Files.list(dir)) {
            for (Path log : files.filter(p -> p.getFileName().toString().startsWith("gc-")).toList()) {
                for (String line : Files.readAllLines(log)) {
                    Matcher m = GC_HEAP.matcher(line);
                    if (m.find()) {
                        peak = Math.max(peak, Long.parseLong(m.group(1)));
                    }
                }
            }
        }
        return peak;
    }

    private static void printTable(Map<String, Object> m) {
        System.out.println();
        System.out.printf("%-40s %s%n", "measure", "value");
        m.forEach((k, v) -> System.out.printf("%-40s %s%n", k, v instanceof Double d ? String.format("%,.2f", d) : v));
    }
}
