package io.capstan.placement;

import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ReplicaRole;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Seeded generators of placement problems for the property tests: the same seed always gives the same
 * problem, so a failing case is replayed with {@code GeneratedClusters.problem(seed)} (or
 * {@link #gridProblem}, {@link #tightProblem}). No shrinking: instead sizes are drawn with a bias to
 * their bounds ({@link #size}), so the small edge cases (no node, one node, one domain, one partition)
 * come up often next to the larger ones.
 */
final class GeneratedClusters {

    static final ServiceName SERVICE = new ServiceName("App", "Svc");

    /** Constraints used by the generator, each with an independent Java check (not the parser). */
    static final Map<String, Predicate<NodeCandidate>> CONSTRAINTS = Map.of(
            "", n -> true,
            "NodeType == \"frontend\"", n -> "frontend".equals(n.properties().get("NodeType")),
            "NodeType != \"frontend\" && Disk >= 200", n -> n.properties().containsKey("NodeType")
                    && !"frontend".equals(n.properties().get("NodeType")) && n.properties().containsKey("Disk")
                    && Integer.parseInt(n.properties().get("Disk")) >= 200,
            "!(FaultDomain == \"fd0\") || UpgradeDomain == \"ud1\"", n -> !n.faultDomain().equals("fd0") || n.upgradeDomain().equals("ud1"));
    private static final List<String> CONSTRAINT_TEXTS = List.copyOf(new TreeSet<>(CONSTRAINTS.keySet()));

    private static final List<Double> CPU_CAPACITIES = List.of(0.0, 1.0, 2.0, 4.0);
    private static final List<Double> MEMORY_CAPACITIES = List.of(0.0, 256.0, 1024.0);
    private static final List<Double> CPU_LOADS = List.of(0.0, 0.25, 0.5, 1.0);
    private static final List<Double> MEMORY_LOADS = List.of(0.0, 64.0, 200.0);

    private GeneratedClusters() {
    }

    /**
     * A general problem: 0–24 nodes over 1–4 fault and 1–3 upgrade domains (a node's domains are drawn
     * independently, so some domains may be empty and cells uneven); capacities for cpu and memory each
     * unlimited (missing) 30% of the time, else possibly 0; NodeType and Disk properties, sometimes absent;
     * 1 node in 10 ineligible and 1 in 10 draining. 1–10 partitions: stateful or stateless, 0–5 replicas or -1
     * (every node), one of {@link #CONSTRAINTS}, a shared activation half of the time, loads that may be 0, and
     * up to 4 existing replicas with any role, 1 in 5 lost, 1 in 10 on a node the cluster does not know; of the
     * healthy ones 3 in 4 Ready, with progress 0–2 (so failover meets ties).
     */
    static PlacementProblem problem(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int fds = size(r, 1, 4);
        int uds = size(r, 1, 3);
        int nodeCount = size(r, 0, 24);
        List<NodeCandidate> nodes = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            int fd = r.nextInt(4);
            int ud = r.nextInt(3);
            Map<String, Double> capacity = new HashMap<>();
            putIfNotNull(capacity, "cpu", orNull(r, 0.3, oneOf(r, CPU_CAPACITIES)));
            putIfNotNull(capacity, "memoryMiB", orNull(r, 0.3, oneOf(r, MEMORY_CAPACITIES)));
            Map<String, String> properties = new HashMap<>();
            putIfNotNull(properties, "NodeType", orNull(r, 0.2, oneOf(r, List.of("frontend", "backend"))));
            putIfNotNull(properties, "Disk", orNull(r, 0.2, oneOf(r, List.of("100", "200", "500"))));
            int state = r.nextInt(10);
            nodes.add(new NodeCandidate(String.format("node-%02d", i), "fd" + fd % fds, "ud" + ud % uds, capacity,
                    properties, state > 1, state == 1));
        }
        int partitionCount = size(r, 1, 10);
        List<PartitionDemand> demands = new ArrayList<>();
        long nextReplicaId = 1;
        // Readiness and progress come from a stream of their own, so adding them left every other draw as it was.
        SplittableRandom progress = new SplittableRandom(~seed);
        for (int i = 0; i < partitionCount; i++) {
            boolean stateful = r.nextBoolean();
            int target = r.nextInt(-1, 6);
            String constraint = oneOf(r, CONSTRAINT_TEXTS);
            String group = orNull(r, 0.5, oneOf(r, List.of("A/P1", "A/P2")));
            Map<String, Double> load = new HashMap<>();
            double cpu = oneOf(r, CPU_LOADS);
            double memory = oneOf(r, MEMORY_LOADS);
            if (cpu > 0) {
                load.put("cpu", cpu);
            }
            if (memory > 0) {
                load.put("memoryMiB", memory);
            }
            List<ExistingReplica> existing = new ArrayList<>();
            int existingCount = size(r, 0, 4);
            for (int k = 0; k < existingCount; k++) {
                int nodeIndex = r.nextInt(101);
                boolean healthy = r.nextInt(5) != 0;
                ReplicaRole role = oneOf(r, List.of(ReplicaRole.values()));
                boolean unknownNode = r.nextInt(10) == 0;
                String node = unknownNode || nodes.isEmpty() ? "ghost" : nodes.get(nodeIndex % nodes.size()).name();
                existing.add(new ExistingReplica(nextReplicaId++, node, role, healthy, healthy && progress.nextInt(4) != 0,
                        progress.nextInt(3)));
            }
            demands.add(new PartitionDemand(SERVICE, new UUID(0, i), stateful ? ServiceKind.STATEFUL : ServiceKind.STATELESS,
                    target, constraint, group, load, existing));
        }
        return new PlacementProblem(nodes, demands);
    }

    /**
     * A full FD × UD grid (1–5 × 1–4, 1–2 nodes per cell), every node eligible, no capacity limits, and 1–8
     * fresh partitions of 1–6 replicas (at most the node count), alternately stateful and stateless, every
     * third in a shared activation.
     */
    static PlacementProblem gridProblem(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int fds = size(r, 1, 5);
        int uds = size(r, 1, 4);
        int perCell = size(r, 1, 2);
        List<NodeCandidate> nodes = new ArrayList<>();
        for (int f = 0; f < fds; f++) {
            for (int u = 0; u < uds; u++) {
                for (int k = 0; k < perCell; k++) {
                    nodes.add(new NodeCandidate("n" + f + "-" + u + "-" + k, "fd" + f, "ud" + u, Map.of(), Map.of(), true));
                }
            }
        }
        int partitionCount = size(r, 1, 8);
        List<PartitionDemand> demands = new ArrayList<>();
        for (int i = 0; i < partitionCount; i++) {
            int target = size(r, 1, 6);
            demands.add(new PartitionDemand(SERVICE, new UUID(1, i), i % 2 == 0 ? ServiceKind.STATEFUL : ServiceKind.STATELESS,
                    Math.min(target, nodes.size()), "", i % 3 == 0 ? "A/P" : null, Map.of(), List.of()));
        }
        return new PlacementProblem(nodes, demands);
    }

    /**
     * Larger, tight clusters: 40–150 nodes in 1–2 fault domains and one upgrade domain (cells of up to 150
     * nodes, several buckets each), cpu capacity 1–3, 1 node in 20 ineligible; 20–80 partitions of 1–5
     * replicas (1 in 10 on every node) with cpu load 0.25–1.5, a third of them in one of 3 shared activations.
     */
    static PlacementProblem tightProblem(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int nodeCount = size(r, 40, 150);
        int fds = size(r, 1, 2);
        int partitionCount = size(r, 20, 80);
        List<NodeCandidate> nodes = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            nodes.add(new NodeCandidate(String.format("node-%03d", i), "fd" + i % fds, "ud0",
                    Map.of("cpu", 1.0 + r.nextInt(3)), Map.of(), r.nextInt(20) != 0));
        }
        List<PartitionDemand> demands = new ArrayList<>();
        for (int p = 0; p < partitionCount; p++) {
            demands.add(new PartitionDemand(SERVICE, new UUID(2, p), r.nextBoolean() ? ServiceKind.STATEFUL : ServiceKind.STATELESS,
                    r.nextInt(10) == 0 ? -1 : 1 + r.nextInt(5), "", r.nextInt(3) == 0 ? "G" + r.nextInt(3) : null,
                    Map.of("cpu", 0.25 * (1 + r.nextInt(6))), List.of()));
        }
        return new PlacementProblem(nodes, demands);
    }

    /**
     * A cluster in which an operator starts disabling 1–2 nodes: 2–12 nodes over 1–3 fault and 1–3 upgrade
     * domains, NodeType and Disk properties, cpu capacity unlimited 40% of the time, else 1–4; 1–6 partitions
     * (stateful or stateless, 1–4 replicas or, 1 in 8, -1; a constraint half of the time; a shared activation 1 in
     * 3; cpu load 0, 0.5 or 1) placed by the planner itself, with 1 replica in 4 still InBuild. The nodes to drain
     * are drawn among those hosting a replica, so most problems have something to move.
     */
    static PlacementProblem drainProblem(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int fds = size(r, 1, 3);
        int uds = size(r, 1, 3);
        int nodeCount = size(r, 2, 12);
        List<NodeCandidate> nodes = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            Map<String, Double> capacity = new HashMap<>();
            putIfNotNull(capacity, "cpu", orNull(r, 0.4, 1.0 + r.nextInt(4)));
            Map<String, String> properties = new HashMap<>();
            properties.put("NodeType", oneOf(r, List.of("frontend", "backend", "backend")));
            putIfNotNull(properties, "Disk", orNull(r, 0.2, oneOf(r, List.of("100", "200", "500"))));
            nodes.add(new NodeCandidate(String.format("node-%02d", i), "fd" + r.nextInt(fds), "ud" + r.nextInt(uds),
                    capacity, properties, true));
        }
        int partitionCount = size(r, 1, 6);
        List<PartitionDemand> demands = new ArrayList<>();
        for (int i = 0; i < partitionCount; i++) {
            boolean stateful = r.nextBoolean();
            int target = r.nextInt(8) == 0 ? PartitionDemand.EVERY_NODE : size(r, 1, 4);
            String constraint = r.nextBoolean() ? "" : oneOf(r, CONSTRAINT_TEXTS);
            String group = r.nextInt(3) == 0 ? oneOf(r, List.of("A/P1", "A/P2")) : null;
            double cpu = oneOf(r, List.of(0.0, 0.5, 1.0));
            demands.add(new PartitionDemand(SERVICE, new UUID(3, i), stateful ? ServiceKind.STATEFUL : ServiceKind.STATELESS,
                    target, constraint, group, cpu > 0 ? Map.of("cpu", cpu) : Map.of(), List.of()));
        }
        PlacementProblem empty = new PlacementProblem(nodes, demands);
        PlacementProblem placed = Fixtures.apply(empty, new PlacementPlanner().plan(empty));
        List<PartitionDemand> building = new ArrayList<>();
        for (PartitionDemand d : placed.partitions()) {
            building.add(Fixtures.withExisting(d, d.existing().stream().map(x -> r.nextInt(4) == 0
                    ? new ExistingReplica(x.replicaId(), x.node(), x.role(), true, false, 0) : x).toList()));
        }
        List<String> hosting = placed.partitions().stream().flatMap(d -> d.existing().stream()).map(ExistingReplica::node)
                .distinct().sorted().toList();
        List<String> pool = hosting.isEmpty() ? nodes.stream().map(NodeCandidate::name).toList() : hosting;
        Set<String> drain = new HashSet<>();
        int drainCount = Math.min(pool.size(), size(r, 1, 2));
        while (drain.size() < drainCount) {
            drain.add(oneOf(r, pool));
        }
        List<NodeCandidate> disabling = nodes.stream().map(n -> drain.contains(n.name()) ? Fixtures.draining(n) : n).toList();
        return new PlacementProblem(disabling, building);
    }

    /**
     * A placed cluster in which nodes fail: 3–10 nodes over 1–3 fault and 1–3 upgrade domains, no capacity limits
     * (failover does not depend on them); 2–10 partitions of 2–4 replicas, 4 in 5 stateful, placed by the planner
     * itself, so replica ids follow placement order as in a real cluster. Half of the time one node has already
     * failed and come back empty (its replicas replaced elsewhere, its Primaries promoted), so Primaries start
     * uneven. Then 1–2 nodes go down (every replica on them lost) or, 1 time in 4, start draining, and 1 partition
     * in 6 loses a replica to a crash loop on an Up node. The other secondaries are InBuild 1 time in 6, and any
     * replica has progress 1 one time in 4, else 0: failover meets ties between nodes with different Primary counts
     * as well as clear winners.
     */
    static PlacementProblem failoverProblem(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int fds = size(r, 1, 3);
        int uds = size(r, 1, 3);
        int nodeCount = size(r, 3, 10);
        List<NodeCandidate> nodes = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            nodes.add(new NodeCandidate(String.format("node-%02d", i), "fd" + r.nextInt(fds), "ud" + r.nextInt(uds),
                    Map.of(), Map.of(), true));
        }
        List<String> names = nodes.stream().map(NodeCandidate::name).toList();
        int partitionCount = size(r, 2, 10);
        List<PartitionDemand> demands = new ArrayList<>();
        for (int i = 0; i < partitionCount; i++) {
            demands.add(new PartitionDemand(SERVICE, new UUID(4, i), r.nextInt(5) != 0 ? ServiceKind.STATEFUL : ServiceKind.STATELESS,
                    Math.min(size(r, 2, 4), nodeCount), "", null, Map.of(), List.of()));
        }
        PlacementProblem empty = new PlacementProblem(nodes, demands);
        PlacementProblem placed = Fixtures.apply(empty, new PlacementPlanner().plan(empty));
        if (r.nextBoolean()) {
            String earlier = oneOf(r, names);
            PlacementProblem failed = Fixtures.nodeFails(placed, earlier);
            PlacementProblem recovered = Fixtures.apply(failed, new PlacementPlanner().plan(failed));
            placed = new PlacementProblem(Fixtures.up(recovered.nodes(), earlier), recovered.partitions());
        }
        Set<String> failing = new TreeSet<>();
        int failCount = Math.min(nodeCount - 1, size(r, 1, 2));
        while (failing.size() < failCount) {
            failing.add(oneOf(r, names));
        }
        PlacementProblem current = placed;
        for (String name : failing) {
            current = r.nextInt(4) == 0
                    ? new PlacementProblem(Fixtures.draining(current.nodes(), name), current.partitions())
                    : Fixtures.nodeFails(current, name);
        }
        List<PartitionDemand> out = new ArrayList<>();
        for (PartitionDemand d : current.partitions()) {
            long crashed = r.nextInt(6) == 0 && !d.existing().isEmpty()
                    ? d.existing().get(r.nextInt(d.existing().size())).replicaId() : -1;
            List<ExistingReplica> existing = new ArrayList<>();
            for (ExistingReplica x : d.existing()) {
                boolean healthy = x.healthy() && x.replicaId() != crashed;
                boolean ready = healthy && (x.role() == ReplicaRole.Primary || r.nextInt(6) != 0);
                existing.add(new ExistingReplica(x.replicaId(), x.node(), x.role(), healthy, ready, r.nextInt(4) == 0 ? 1 : 0));
            }
            out.add(Fixtures.withExisting(d, existing));
        }
        return new PlacementProblem(current.nodes(), out);
    }

    /** A one-line summary of a problem for failure messages, e.g. "12 nodes (10 eligible, 1 draining) in 3 FD × 2 UD, 4 partitions". */
    static String describe(PlacementProblem problem) {
        Set<String> fds = new HashSet<>();
        Set<String> uds = new HashSet<>();
        long eligible = 0;
        long draining = 0;
        for (NodeCandidate n : problem.nodes()) {
            fds.add(n.faultDomain());
            uds.add(n.upgradeDomain());
            eligible += n.eligible() ? 1 : 0;
            draining += n.draining() ? 1 : 0;
        }
        long existing = problem.partitions().stream().mapToLong(d -> d.existing().size()).sum();
        return count(problem.nodes().size(), "node") + " (" + eligible + " eligible, " + draining + " draining) in "
                + fds.size() + " FD × " + uds.size()
                + " UD, " + count(problem.partitions().size(), "partition") + ", " + count(existing, "existing replica");
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /**
     * A size in [min, max], biased to the bounds: min, min + 1 and max each come up 1 time in 8, otherwise
     * uniform. (Edge cases without a framework: the smallest clusters are the likeliest to break.)
     */
    static int size(SplittableRandom r, int min, int max) {
        return switch (r.nextInt(8)) {
            case 0 -> min;
            case 1 -> Math.min(min + 1, max);
            case 2 -> max;
            default -> r.nextInt(min, max + 1);
        };
    }

    private static <T> T oneOf(SplittableRandom r, List<T> values) {
        return values.get(r.nextInt(values.size()));
    }

    /** {@code value}, or null with probability {@code nullProbability}. */
    private static <T> T orNull(SplittableRandom r, double nullProbability, T value) {
        return r.nextDouble() < nullProbability ? null : value;
    }

    private static <V> void putIfNotNull(Map<String, V> map, String key, V value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
