package io.capstan.bench;

import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import io.capstan.placement.NodeCandidate;
import io.capstan.placement.PartitionDemand;
import io.capstan.placement.PlacementProblem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A deterministic (seeded) cluster and workload for the placement benchmark: nodes on a fault × upgrade
 * domain grid with mixed node types and capacities, and services (stateful and stateless, partitioned,
 * shared and exclusive activation, with constraints and loads) until the replica count is reached.
 *
 * <p>Every constraint expression comes with a hand-written Java predicate, so the benchmark checks
 * constraint violations without going through the planner's parser.
 */
record PlacementScenario(PlacementProblem problem, Map<String, Predicate<NodeCandidate>> constraintChecks) {

    /** An expression, its independent check, and how often services use it. */
    private record Profile(String expression, Predicate<NodeCandidate> check, int weight) {
    }

    private static final List<Profile> PROFILES = List.of(
            new Profile("", n -> true, 40),
            new Profile("NodeType == \"backend\"", n -> "backend".equals(n.properties().get("NodeType")), 25),
            new Profile("NodeType == \"frontend\"", n -> "frontend".equals(n.properties().get("NodeType")), 10),
            new Profile("NodeType == \"data\" && Disk >= 500",
                    n -> "data".equals(n.properties().get("NodeType")) && Integer.parseInt(n.properties().get("Disk")) >= 500, 5),
            new Profile("(HasSSD == true && Disk >= 250) || NodeType == \"frontend\"",
                    n -> ("true".equals(n.properties().get("HasSSD")) && Integer.parseInt(n.properties().get("Disk")) >= 250)
                            || "frontend".equals(n.properties().get("NodeType")), 10),
            new Profile("NodeType != \"data\"", n -> !"data".equals(n.properties().get("NodeType")), 10));

    static PlacementScenario generate(int nodeCount, long replicaCount, int faultDomains, int upgradeDomains, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<NodeCandidate> nodes = new ArrayList<>(nodeCount);
        int[] disks = {100, 250, 500, 1000};
        for (int i = 0; i < nodeCount; i++) {
            // Fault domain varies fastest, so consecutive nodes fill the FD × UD grid evenly.
            String fd = String.format("fd:/dc1/rack%02d", i % faultDomains);
            String ud = "UD" + (i / faultDomains) % upgradeDomains;
            int typeRoll = random.nextInt(100);
            String type = typeRoll < 20 ? "frontend" : typeRoll < 80 ? "backend" : "data";
            boolean big = random.nextBoolean();
            Map<String, Double> capacity = Map.of("cpu", big ? 32.0 : 16.0, "memoryMiB", big ? 131072.0 : 65536.0);
            Map<String, String> properties = Map.of(
                    "NodeType", type,
                    "Disk", Integer.toString(disks[random.nextInt(disks.length)]),
                    "HasSSD", Boolean.toString(random.nextBoolean()));
            boolean eligible = random.nextInt(200) != 0; // 0.5% down or disabled
            nodes.add(new NodeCandidate(String.format("node-%05d", i), fd, ud, capacity, properties, eligible));
        }

        List<PartitionDemand> partitions = new ArrayList<>();
        long replicas = 0;
        // Two "instanceCount: -1" services (a node-local agent everywhere, a frontend on every frontend node).
        partitions.add(everyNode(new ServiceName("Infra", "NodeAgent"), "", random));
        partitions.add(everyNode(new ServiceName("Web", "Frontend"), "NodeType == \"frontend\"", random));
        for (NodeCandidate n : nodes) {
            replicas += n.eligible() ? 1 : 0;
            replicas += n.eligible() && "frontend".equals(n.properties().get("NodeType")) ? 1 : 0;
        }
        double[] cpus = {0.05, 0.1, 0.15, 0.2};
        double[] mems = {128, 256, 512, 1024};
        int[] statefulPartitions = {1, 5, 10, 26, 50, 100};
        int[] statelessPartitions = {1, 2, 5, 10};
        int totalWeight = PROFILES.stream().mapToInt(Profile::weight).sum();
        int app = 0;
        while (replicas < replicaCount) {
            app++;
            int packages = 1 + random.nextInt(3);
            // Resources belong to the service package (its code packages), so every service of a package costs the same.
            List<Map<String, Double>> packageLoads = new ArrayList<>();
            for (int k = 0; k < packages; k++) {
                packageLoads.add(Map.of("cpu", cpus[random.nextInt(cpus.length)], "memoryMiB", mems[random.nextInt(mems.length)]));
            }
            int services = 1 + random.nextInt(4);
            for (int s = 0; s < services && replicas < replicaCount; s++) {
                ServiceName name = new ServiceName("App" + app, "Service" + s);
                boolean stateful = random.nextBoolean();
                int partitionCount = stateful ? statefulPartitions[random.nextInt(statefulPartitions.length)]
                        : statelessPartitions[random.nextInt(statelessPartitions.length)];
                int target = stateful ? (random.nextBoolean() ? 3 : 5) : 1 + random.nextInt(8);
                int pkg = random.nextInt(packages);
                String group = random.nextInt(10) < 7 ? "App" + app + "/Pkg" + pkg : null;
                Map<String, Double> load = packageLoads.get(pkg);
                String constraint = pick(random.nextInt(totalWeight));
                for (int p = 0; p < partitionCount && replicas < replicaCount; p++) {
                    int t = (int) Math.min(target, replicaCount - replicas);
                    partitions.add(new PartitionDemand(name, new UUID(seed, partitions.size()),
                            stateful ? ServiceKind.STATEFUL : ServiceKind.STATELESS, t, constraint, group, load, List.of()));
                    replicas += t;
                }
            }
        }
        Map<String, Predicate<NodeCandidate>> checks = new HashMap<>();
        for (Profile p : PROFILES) {
            checks.put(p.expression(), p.check());
        }
        return new PlacementScenario(new PlacementProblem(nodes, partitions), checks);
    }

    private static PartitionDemand everyNode(ServiceName name, String constraint, SplittableRandom random) {
        return new PartitionDemand(name, new UUID(random.nextLong(), random.nextLong()), ServiceKind.STATELESS,
                PartitionDemand.EVERY_NODE, constraint, name.application() + "/Pkg",
                Map.of("cpu", 0.1, "memoryMiB", 256.0), List.of());
    }

    private static String pick(int roll) {
        for (Profile p : PROFILES) {
            roll -= p.weight();
            if (roll < 0) {
                return p.expression();
            }
        }
        throw new IllegalStateException("weights");
    }
}
