package io.capstan.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ReplicaRole;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Invariants of the planner over generated clusters (up to 24 nodes, several domains, capacities, properties,
 * some nodes ineligible) and demands (stateful and stateless, -1 counts, constraints, shared activations,
 * existing replicas healthy or lost, on known or unknown nodes).
 */
class PlacementPropertiesTest {

    /** Constraints used by the generator, each with an independent Java check (not the parser). */
    private static final Map<String, Predicate<NodeCandidate>> CONSTRAINTS = Map.of(
            "", n -> true,
            "NodeType == \"frontend\"", n -> "frontend".equals(n.properties().get("NodeType")),
            "NodeType != \"frontend\" && Disk >= 200", n -> n.properties().containsKey("NodeType")
                    && !"frontend".equals(n.properties().get("NodeType")) && n.properties().containsKey("Disk")
                    && Integer.parseInt(n.properties().get("Disk")) >= 200,
            "!(FaultDomain == \"fd0\") || UpgradeDomain == \"ud1\"", n -> !n.faultDomain().equals("fd0") || n.upgradeDomain().equals("ud1"));
    private static final List<String> CONSTRAINT_TEXTS = List.copyOf(new java.util.TreeSet<>(CONSTRAINTS.keySet()));

    // ---------------------------------------------------------------- invariants

    @Property(tries = 300)
    void neverOverCapacityWhereItPlaces(@ForAll("problems") PlacementProblem problem) {
        PlacementPlan plan = new PlacementPlanner().plan(problem);
        Map<String, Map<String, Double>> after = finalLoad(problem, plan, true);
        // Existing replicas may already overload a node (capacity shrank); a placement may then only add nothing.
        Map<String, Map<String, Double>> kept = finalLoad(problem, plan, false);
        Set<String> touched = new HashSet<>();
        plan.placements().forEach(p -> touched.add(p.node()));
        for (NodeCandidate n : problem.nodes()) {
            if (!touched.contains(n.name())) {
                continue;
            }
            n.capacity().forEach((metric, cap) -> assertThat(after.get(n.name()).getOrDefault(metric, 0.0))
                    .as("%s on %s", metric, n.name())
                    .isLessThanOrEqualTo(Math.max(cap, kept.get(n.name()).getOrDefault(metric, 0.0)) + 1e-6));
        }
    }

    @Property(tries = 300)
    void neverTwoReplicasOfAPartitionOnOneNode(@ForAll("problems") PlacementProblem problem) {
        PlacementPlan plan = new PlacementPlanner().plan(problem);
        for (Map.Entry<UUID, List<Replica>> e : finalReplicas(problem, plan).entrySet()) {
            List<String> nodes = e.getValue().stream().map(Replica::node).toList();
            assertThat(nodes).as("partition %s", e.getKey()).doesNotHaveDuplicates();
        }
    }

    @Property(tries = 300)
    void placesOnlyOnEligibleNodesThatSatisfyTheConstraint(@ForAll("problems") PlacementProblem problem) {
        PlacementPlan plan = new PlacementPlanner().plan(problem);
        Map<String, NodeCandidate> nodes = nodesByName(problem);
        Map<UUID, PartitionDemand> demands = demandsById(problem);
        for (ReplicaPlacement p : plan.placements()) {
            NodeCandidate n = nodes.get(p.node());
            assertThat(n.eligible()).as("eligible %s", n.name()).isTrue();
            assertThat(CONSTRAINTS.get(demands.get(p.partitionId()).placementConstraint()).test(n))
                    .as("constraint on %s", n.name()).isTrue();
        }
    }

    @Property(tries = 300)
    void exactlyOnePrimaryPerStatefulPartitionAndNoneForStateless(@ForAll("problems") PlacementProblem problem) {
        PlacementPlan plan = new PlacementPlanner().plan(problem);
        Map<UUID, PartitionDemand> demands = demandsById(problem);
        for (Map.Entry<UUID, List<Replica>> e : finalReplicas(problem, plan).entrySet()) {
            List<ReplicaRole> roles = e.getValue().stream().map(Replica::role).toList();
            if (roles.isEmpty()) {
                continue;
            }
            if (demands.get(e.getKey()).kind() == ServiceKind.STATEFUL) {
                assertThat(roles.stream().filter(r -> r == ReplicaRole.Primary).count()).isEqualTo(1);
                assertThat(roles).doesNotContain(ReplicaRole.None);
            } else {
                assertThat(roles).containsOnly(ReplicaRole.None);
            }
        }
    }

    @Property(tries = 300)
    void placedAndFailedAddUpToTheTarget(@ForAll("problems") PlacementProblem problem) {
        PlacementPlan plan = new PlacementPlanner().plan(problem);
        Map<UUID, List<Replica>> replicas = finalReplicas(problem, plan);
        Map<UUID, PlacementFailure> failures = new HashMap<>();
        plan.failures().forEach(f -> assertThat(failures.put(f.partitionId(), f)).as("one failure per partition").isNull());
        for (PartitionDemand d : problem.partitions()) {
            int have = replicas.get(d.partitionId()).size();
            int wanted = d.targetReplicas() >= 0 ? d.targetReplicas() : everyNodeTarget(problem, d);
            PlacementFailure f = failures.get(d.partitionId());
            if (f == null) {
                assertThat(have).as("partition %s", d.partitionId()).isEqualTo(wanted);
            } else {
                assertThat(f.placed()).isEqualTo(have);
                assertThat(f.wanted()).isEqualTo(wanted);
                assertThat(f.placed()).isLessThan(f.wanted());
                assertThat(f.reason()).startsWith("placed " + have + " of " + wanted + ": ");
            }
        }
    }

    @Property(tries = 200)
    void sameInputSamePlanWhateverTheNodeOrder(@ForAll("problems") PlacementProblem problem) {
        PlacementPlan first = new PlacementPlanner().plan(problem);
        assertThat(new PlacementPlanner().plan(problem)).isEqualTo(first);
        List<NodeCandidate> reversed = new ArrayList<>(problem.nodes());
        Collections.reverse(reversed);
        assertThat(new PlacementPlanner().plan(new PlacementProblem(reversed, problem.partitions()))).isEqualTo(first);
    }

    @Property(tries = 200)
    void replanningTheResultChangesNothing(@ForAll("problems") PlacementProblem problem) {
        PlacementPlan plan = new PlacementPlanner().plan(problem);
        PlacementProblem after = Fixtures.apply(problem, plan);
        PlacementPlan again = new PlacementPlanner().plan(after);
        assertThat(again.placements()).isEmpty();
        assertThat(again.removals()).isEmpty();
        assertThat(again.roleChanges()).isEmpty();
        // What could not be placed still cannot, and is still reported.
        assertThat(again.failures()).extracting(PlacementFailure::partitionId)
                .containsExactlyInAnyOrderElementsOf(plan.failures().stream().map(PlacementFailure::partitionId).toList());
    }

    /**
     * Service Fabric's max-difference-1 rule, where a greedy placer can always keep it: when a partition has no
     * more replicas than min(#FD, #UD) (every replica in its own fault and upgrade domain), or when one of the two
     * dimensions has a single domain. (Beyond that, both at once may need look-ahead: 6 replicas on a 3×3 grid
     * can end up 3/2/1 in one dimension; the planner then keeps both dimensions within 2.)
     */
    @Property(tries = 300)
    void spreadsOverFaultAndUpgradeDomainsWithinMaxDifferenceOne(@ForAll("gridProblems") PlacementProblem problem) {
        // Full FD × UD grid, every node eligible, no capacity limits, fresh partitions.
        PlacementPlan plan = new PlacementPlanner().plan(problem);
        assertThat(plan.failures()).isEmpty();
        Map<String, NodeCandidate> nodes = nodesByName(problem);
        Set<String> fds = new HashSet<>();
        Set<String> uds = new HashSet<>();
        problem.nodes().forEach(n -> {
            fds.add(n.faultDomain());
            uds.add(n.upgradeDomain());
        });
        for (Map.Entry<UUID, List<Replica>> e : finalReplicas(problem, plan).entrySet()) {
            Map<String, Integer> perFd = new HashMap<>();
            Map<String, Integer> perUd = new HashMap<>();
            fds.forEach(fd -> perFd.put(fd, 0));
            uds.forEach(ud -> perUd.put(ud, 0));
            for (Replica r : e.getValue()) {
                perFd.merge(nodes.get(r.node()).faultDomain(), 1, Integer::sum);
                perUd.merge(nodes.get(r.node()).upgradeDomain(), 1, Integer::sum);
            }
            boolean greedySafe = e.getValue().size() <= Math.min(fds.size(), uds.size()) || fds.size() == 1 || uds.size() == 1;
            int allowed = greedySafe ? 1 : 2;
            assertThat(maxDifference(perFd)).as("fault domains %s", perFd).isLessThanOrEqualTo(allowed);
            assertThat(maxDifference(perUd)).as("upgrade domains %s", perUd).isLessThanOrEqualTo(allowed);
        }
    }

    /**
     * Larger, tight clusters: cells of up to 150 nodes (several buckets each) and little room, so the
     * selector's exact scan and its capacity pruning run, not only the fast path.
     */
    @Property(tries = 40)
    void tightLargeClustersKeepTheHardRulesAndAccounting(@ForAll("tightProblems") PlacementProblem problem) {
        neverOverCapacityWhereItPlaces(problem);
        neverTwoReplicasOfAPartitionOnOneNode(problem);
        placedAndFailedAddUpToTheTarget(problem);
        assertThat(new PlacementPlanner().plan(problem)).isEqualTo(new PlacementPlanner().plan(problem));
    }

    @Provide
    Arbitrary<PlacementProblem> tightProblems() {
        return Combinators.combine(Arbitraries.integers().between(40, 150), Arbitraries.integers().between(1, 2),
                Arbitraries.integers().between(20, 80), Arbitraries.longs()).as((nodeCount, fds, partitions, seed) -> {
                    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
                    List<NodeCandidate> nodes = new ArrayList<>();
                    for (int i = 0; i < nodeCount; i++) {
                        nodes.add(new NodeCandidate(String.format("node-%03d", i), "fd" + i % fds, "ud0",
                                Map.of("cpu", 1.0 + random.nextInt(3)), Map.of(), random.nextInt(20) != 0));
                    }
                    List<PartitionDemand> demands = new ArrayList<>();
                    for (int p = 0; p < partitions; p++) {
                        demands.add(new PartitionDemand(SERVICE, new UUID(2, p), random.nextBoolean() ? ServiceKind.STATEFUL
                                : ServiceKind.STATELESS, random.nextInt(10) == 0 ? -1 : 1 + random.nextInt(5), "",
                                random.nextInt(3) == 0 ? "G" + random.nextInt(3) : null,
                                Map.of("cpu", 0.25 * (1 + random.nextInt(6))), List.of()));
                    }
                    return new PlacementProblem(nodes, demands);
                });
    }

    // ---------------------------------------------------------------- generators

    @Provide
    Arbitrary<PlacementProblem> problems() {
        Arbitrary<List<NodeCandidate>> nodes = Combinators.combine(
                Arbitraries.integers().between(1, 4), Arbitraries.integers().between(1, 3),
                nodeSpec().list().ofMinSize(0).ofMaxSize(24)).as((fds, uds, specs) -> {
                    List<NodeCandidate> out = new ArrayList<>();
                    for (int i = 0; i < specs.size(); i++) {
                        out.add(specs.get(i).toNode(i, fds, uds));
                    }
                    return out;
                });
        return nodes.flatMap(ns -> demandSpec(ns.size()).list().ofMinSize(1).ofMaxSize(10).map(specs -> {
            List<PartitionDemand> demands = new ArrayList<>();
            long[] nextId = {1};
            for (int i = 0; i < specs.size(); i++) {
                demands.add(specs.get(i).toDemand(i, ns, nextId));
            }
            return new PlacementProblem(ns, demands);
        }));
    }

    @Provide
    Arbitrary<PlacementProblem> gridProblems() {
        return Combinators.combine(Arbitraries.integers().between(1, 5), Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(1, 2), Arbitraries.integers().between(1, 6).list().ofMinSize(1).ofMaxSize(8))
                .as((fds, uds, perCell, targets) -> {
                    List<NodeCandidate> nodes = new ArrayList<>();
                    for (int f = 0; f < fds; f++) {
                        for (int u = 0; u < uds; u++) {
                            for (int k = 0; k < perCell; k++) {
                                nodes.add(new NodeCandidate("n" + f + "-" + u + "-" + k, "fd" + f, "ud" + u,
                                        Map.of(), Map.of(), true));
                            }
                        }
                    }
                    List<PartitionDemand> demands = new ArrayList<>();
                    for (int i = 0; i < targets.size(); i++) {
                        demands.add(new PartitionDemand(SERVICE, new UUID(1, i), i % 2 == 0 ? ServiceKind.STATEFUL
                                : ServiceKind.STATELESS, Math.min(targets.get(i), nodes.size()), "", i % 3 == 0 ? "A/P" : null,
                                Map.of(), List.of()));
                    }
                    return new PlacementProblem(nodes, demands);
                });
    }

    private static final ServiceName SERVICE = new ServiceName("App", "Svc");

    private record NodeSpec(int fd, int ud, Double cpu, Double mem, String type, Integer disk, boolean eligible) {
        NodeCandidate toNode(int i, int fds, int uds) {
            Map<String, Double> cap = new HashMap<>();
            if (cpu != null) {
                cap.put("cpu", cpu);
            }
            if (mem != null) {
                cap.put("memoryMiB", mem);
            }
            Map<String, String> props = new HashMap<>();
            if (type != null) {
                props.put("NodeType", type);
            }
            if (disk != null) {
                props.put("Disk", disk.toString());
            }
            return new NodeCandidate(String.format("node-%02d", i), "fd" + fd % fds, "ud" + ud % uds, cap, props, eligible);
        }
    }

    private static Arbitrary<NodeSpec> nodeSpec() {
        return Combinators.combine(
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 2),
                Arbitraries.of(1.0, 2.0, 4.0).injectNull(0.3), Arbitraries.of(256.0, 1024.0).injectNull(0.3),
                Arbitraries.of("frontend", "backend").injectNull(0.2), Arbitraries.of(100, 200, 500).injectNull(0.2),
                Arbitraries.integers().between(0, 9).map(x -> x != 0)).as(NodeSpec::new);
    }

    private record ExistingSpec(int node, boolean healthy, ReplicaRole role, boolean unknownNode) {
    }

    private record DemandSpec(boolean stateful, int target, String constraint, String group, double cpu, double mem,
                              List<ExistingSpec> existing) {
        PartitionDemand toDemand(int i, List<NodeCandidate> nodes, long[] nextId) {
            List<ExistingReplica> replicas = new ArrayList<>();
            for (ExistingSpec e : existing) {
                String node = e.unknownNode() || nodes.isEmpty() ? "ghost" : nodes.get(e.node() % nodes.size()).name();
                replicas.add(new ExistingReplica(nextId[0]++, node, e.role(), e.healthy()));
            }
            Map<String, Double> load = new HashMap<>();
            if (cpu > 0) {
                load.put("cpu", cpu);
            }
            if (mem > 0) {
                load.put("memoryMiB", mem);
            }
            return new PartitionDemand(SERVICE, new UUID(0, i), stateful ? ServiceKind.STATEFUL : ServiceKind.STATELESS,
                    target, constraint, group, load, replicas);
        }
    }

    private static Arbitrary<DemandSpec> demandSpec(int nodeCount) {
        Arbitrary<ExistingSpec> existing = Combinators.combine(Arbitraries.integers().between(0, 100),
                Arbitraries.integers().between(0, 4).map(x -> x != 0), Arbitraries.of(ReplicaRole.class),
                Arbitraries.integers().between(0, 9).map(x -> x == 0)).as(ExistingSpec::new);
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers().between(-1, 5),
                Arbitraries.of(CONSTRAINT_TEXTS), Arbitraries.of("A/P1", "A/P2").injectNull(0.5),
                Arbitraries.of(0.0, 0.25, 0.5, 1.0), Arbitraries.of(0.0, 64.0, 200.0),
                existing.list().ofMaxSize(4)).as(DemandSpec::new);
    }

    // ---------------------------------------------------------------- helpers

    private record Replica(String node, ReplicaRole role) {
    }

    /** The replicas each partition has once the plan is applied. */
    private static Map<UUID, List<Replica>> finalReplicas(PlacementProblem problem, PlacementPlan plan) {
        Map<UUID, List<Replica>> out = new HashMap<>();
        for (PartitionDemand d : Fixtures.apply(problem, plan).partitions()) {
            List<Replica> list = new ArrayList<>();
            for (ExistingReplica r : d.existing()) {
                assertThat(r.healthy()).as("a lost replica must be removed").isTrue();
                list.add(new Replica(r.node(), r.role()));
            }
            out.put(d.partitionId(), list);
        }
        return out;
    }

    /**
     * Load per node per metric once the plan is applied (with or without its placements), shared activations
     * counted once per node at the largest load declared in their group.
     */
    private static Map<String, Map<String, Double>> finalLoad(PlacementProblem problem, PlacementPlan plan, boolean withPlacements) {
        Map<String, Map<String, Double>> load = new HashMap<>();
        problem.nodes().forEach(n -> load.put(n.name(), new HashMap<>()));
        Map<String, Map<String, Double>> groupLoad = new HashMap<>();
        for (PartitionDemand d : problem.partitions()) {
            if (d.activationGroup() != null) {
                Map<String, Double> g = groupLoad.computeIfAbsent(d.activationGroup(), k -> new HashMap<>());
                d.load().forEach((m, v) -> g.merge(m, v, Math::max));
            }
        }
        Set<String> activations = new HashSet<>();
        PlacementPlan applied = withPlacements ? plan : new PlacementPlan(List.of(), plan.removals(), plan.roleChanges(), List.of());
        for (PartitionDemand d : Fixtures.apply(problem, applied).partitions()) {
            for (ExistingReplica r : d.existing()) {
                if (!load.containsKey(r.node())) {
                    continue;
                }
                Map<String, Double> cost = d.activationGroup() == null ? d.load()
                        : activations.add(d.activationGroup() + "@" + r.node()) ? groupLoad.get(d.activationGroup()) : Map.of();
                cost.forEach((m, v) -> load.get(r.node()).merge(m, v, Double::sum));
            }
        }
        return load;
    }

    private static int everyNodeTarget(PlacementProblem problem, PartitionDemand d) {
        return (int) problem.nodes().stream().filter(n -> n.eligible() && CONSTRAINTS.get(d.placementConstraint()).test(n)).count();
    }

    private static Map<String, NodeCandidate> nodesByName(PlacementProblem problem) {
        Map<String, NodeCandidate> out = new HashMap<>();
        problem.nodes().forEach(n -> out.put(n.name(), n));
        return out;
    }

    private static Map<UUID, PartitionDemand> demandsById(PlacementProblem problem) {
        Map<UUID, PartitionDemand> out = new HashMap<>();
        problem.partitions().forEach(d -> out.put(d.partitionId(), d));
        return out;
    }

    private static int maxDifference(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).max().orElse(0)
                - counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    }
}
