package io.capstan.placement;

import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ReplicaRole;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Small builders for test clusters and demands. */
final class Fixtures {

    static final ServiceName SERVICE = new ServiceName("App1", "ServiceA");

    private Fixtures() {
    }

    static NodeCandidate node(String name, String fd, String ud) {
        return new NodeCandidate(name, fd, ud, Map.of(), Map.of(), true);
    }

    static NodeCandidate node(String name, String fd, String ud, Map<String, Double> capacity, Map<String, String> properties) {
        return new NodeCandidate(name, fd, ud, capacity, properties, true);
    }

    /** The same node, being disabled: it keeps its replicas until they are replaced, and takes no new one. */
    static NodeCandidate draining(NodeCandidate n) {
        return new NodeCandidate(n.name(), n.faultDomain(), n.upgradeDomain(), n.capacity(), n.properties(), false, true);
    }

    /** {@code nodes} with the one named {@code name} draining. */
    static List<NodeCandidate> draining(List<NodeCandidate> nodes, String name) {
        return nodes.stream().map(n -> n.name().equals(name) ? draining(n) : n).toList();
    }

    /** {@code nodes} with the one named {@code name} down: neither eligible nor draining. */
    static List<NodeCandidate> down(List<NodeCandidate> nodes, String name) {
        return nodes.stream().map(n -> n.name().equals(name)
                ? new NodeCandidate(n.name(), n.faultDomain(), n.upgradeDomain(), n.capacity(), n.properties(), false) : n).toList();
    }

    /** {@code nodes} with the one named {@code name} Up (eligible) again. */
    static List<NodeCandidate> up(List<NodeCandidate> nodes, String name) {
        return nodes.stream().map(n -> n.name().equals(name)
                ? new NodeCandidate(n.name(), n.faultDomain(), n.upgradeDomain(), n.capacity(), n.properties(), true) : n).toList();
    }

    /** The node named {@code name} goes down: it is no longer eligible, and every replica on it is lost. */
    static PlacementProblem nodeFails(PlacementProblem problem, String name) {
        List<PartitionDemand> out = new ArrayList<>();
        for (PartitionDemand d : problem.partitions()) {
            out.add(withExisting(d, d.existing().stream().map(r -> r.node().equals(name)
                    ? new ExistingReplica(r.replicaId(), r.node(), r.role(), false, false, r.progress()) : r).toList()));
        }
        return new PlacementProblem(down(problem.nodes(), name), out);
    }

    /** Primaries per node name (nodes without one are absent). */
    static Map<String, Integer> primariesPerNode(PlacementProblem problem) {
        Map<String, Integer> out = new java.util.TreeMap<>();
        problem.partitions().forEach(d -> d.existing().stream().filter(r -> r.role() == ReplicaRole.Primary)
                .forEach(r -> out.merge(r.node(), 1, Integer::sum)));
        return out;
    }

    /** {@code count} nodes on an fd × ud grid, fault domain varying fastest: n0 (fd0,ud0), n1 (fd1,ud0), ... */
    static List<NodeCandidate> grid(int count, int faultDomains, int upgradeDomains, Map<String, Double> capacity) {
        List<NodeCandidate> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            nodes.add(new NodeCandidate(String.format("n%02d", i), "fd" + (i % faultDomains),
                    "ud" + (i / faultDomains) % upgradeDomains, capacity, Map.of(), true));
        }
        return nodes;
    }

    static UUID partition(int i) {
        return new UUID(0xCAB, i);
    }

    static PartitionDemand stateful(int partition, int target, ExistingReplica... existing) {
        return new PartitionDemand(SERVICE, partition(partition), ServiceKind.STATEFUL, target, "", null, Map.of(),
                List.of(existing));
    }

    static PartitionDemand stateless(int partition, int target, ExistingReplica... existing) {
        return new PartitionDemand(SERVICE, partition(partition), ServiceKind.STATELESS, target, "", null, Map.of(),
                List.of(existing));
    }

    static PartitionDemand demand(int partition, ServiceKind kind, int target, String constraint, String group,
                                  Map<String, Double> load) {
        return new PartitionDemand(SERVICE, partition(partition), kind, target, constraint, group, load, List.of());
    }

    /** A healthy, Ready replica. */
    static ExistingReplica replica(long id, String node, ReplicaRole role) {
        return new ExistingReplica(id, node, role, true);
    }

    /** A healthy replica still building (InBuild). */
    static ExistingReplica inBuild(long id, String node, ReplicaRole role) {
        return new ExistingReplica(id, node, role, true, false, 0);
    }

    /** A healthy replica with readiness and progress given. */
    static ExistingReplica replica(long id, String node, ReplicaRole role, boolean ready, long progress) {
        return new ExistingReplica(id, node, role, true, ready, progress);
    }

    static ExistingReplica lost(long id, String node, ReplicaRole role) {
        return new ExistingReplica(id, node, role, false);
    }

    static PlacementPlan plan(List<NodeCandidate> nodes, PartitionDemand... demands) {
        return new PlacementPlanner().plan(new PlacementProblem(nodes, List.of(demands)));
    }

    /** Nodes chosen for one partition, in plan order. */
    static List<String> nodesOf(PlacementPlan plan, UUID partition) {
        return plan.placements().stream().filter(p -> p.partitionId().equals(partition)).map(ReplicaPlacement::node).toList();
    }

    /** The problem that results from applying {@code plan} to {@code problem}: new replicas get fresh ids and are Ready. */
    static PlacementProblem apply(PlacementProblem problem, PlacementPlan plan) {
        return apply(problem, plan, true);
    }

    /**
     * The problem that results from applying {@code plan} to {@code problem}: removals dropped, roles changed,
     * and the placements added with fresh ids (above every id in the problem), Ready or InBuild.
     */
    static PlacementProblem apply(PlacementProblem problem, PlacementPlan plan, boolean newReplicasReady) {
        Map<Long, ReplicaRole> roles = new HashMap<>();
        plan.roleChanges().forEach(c -> roles.put(c.replicaId(), c.newRole()));
        java.util.Set<Long> removed = new java.util.HashSet<>();
        plan.removals().forEach(r -> removed.add(r.replicaId()));
        long nextId = Math.max(1_000_000, problem.partitions().stream().flatMap(d -> d.existing().stream())
                .mapToLong(ExistingReplica::replicaId).max().orElse(0) + 1);
        List<PartitionDemand> out = new ArrayList<>();
        for (PartitionDemand d : problem.partitions()) {
            List<ExistingReplica> existing = new ArrayList<>();
            for (ExistingReplica r : d.existing()) {
                if (!removed.contains(r.replicaId())) {
                    existing.add(new ExistingReplica(r.replicaId(), r.node(), roles.getOrDefault(r.replicaId(), r.role()),
                            r.healthy(), r.ready(), r.progress()));
                }
            }
            for (ReplicaPlacement p : plan.placements()) {
                if (p.partitionId().equals(d.partitionId())) {
                    existing.add(new ExistingReplica(nextId++, p.node(), p.role(), true, newReplicasReady, 0));
                }
            }
            out.add(withExisting(d, existing));
        }
        return new PlacementProblem(problem.nodes(), out);
    }

    /** Every replica of the problem Ready (as once their builds finish). */
    static PlacementProblem allReady(PlacementProblem problem) {
        List<PartitionDemand> out = new ArrayList<>();
        for (PartitionDemand d : problem.partitions()) {
            out.add(withExisting(d, d.existing().stream().map(r -> new ExistingReplica(r.replicaId(), r.node(), r.role(),
                    r.healthy(), r.healthy(), r.progress())).toList()));
        }
        return new PlacementProblem(problem.nodes(), out);
    }

    static PartitionDemand withExisting(PartitionDemand d, List<ExistingReplica> existing) {
        return new PartitionDemand(d.service(), d.partitionId(), d.kind(), d.targetReplicas(), d.placementConstraint(),
                d.activationGroup(), d.load(), existing);
    }
}
