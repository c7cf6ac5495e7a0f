package io.capstan.placement;

import static io.capstan.model.cluster.ReplicaRole.ActiveSecondary;
import static io.capstan.model.cluster.ReplicaRole.None;
import static io.capstan.model.cluster.ReplicaRole.Primary;
import static io.capstan.placement.Fixtures.demand;
import static io.capstan.placement.Fixtures.grid;
import static io.capstan.placement.Fixtures.lost;
import static io.capstan.placement.Fixtures.node;
import static io.capstan.placement.Fixtures.nodesOf;
import static io.capstan.placement.Fixtures.partition;
import static io.capstan.placement.Fixtures.plan;
import static io.capstan.placement.Fixtures.replica;
import static io.capstan.placement.Fixtures.stateful;
import static io.capstan.placement.Fixtures.stateless;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ReplicaRole;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PlacementPlannerTest {

    private static final Map<String, Double> CPU4 = Map.of("cpu", 4.0);

    @Test
    void aNewStatefulPartitionGetsOnePrimaryAndSecondaries() {
        PlacementPlan plan = plan(grid(3, 3, 3, Map.of()), stateful(1, 3));
        assertThat(plan.placements()).extracting(ReplicaPlacement::role).containsExactly(Primary, ActiveSecondary, ActiveSecondary);
        assertThat(plan.placements()).extracting(ReplicaPlacement::node).containsExactlyInAnyOrder("n00", "n01", "n02");
        assertThat(plan.failures()).isEmpty();
        assertThat(plan.hasChanges()).isTrue();
    }

    @Test
    void statelessInstancesHaveNoRole() {
        PlacementPlan plan = plan(grid(3, 3, 3, Map.of()), stateless(1, 2));
        assertThat(plan.placements()).extracting(ReplicaPlacement::role).containsExactly(None, None);
    }

    @Test
    void primariesOfNewPartitionsAreSpreadOverNodes() {
        // Three partitions on three nodes: every node holds one replica of each, and one Primary each.
        PlacementPlan plan = plan(grid(3, 3, 3, Map.of()), stateful(1, 3), stateful(2, 3), stateful(3, 3));
        assertThat(plan.placements().stream().filter(p -> p.role() == Primary).map(ReplicaPlacement::node))
                .containsExactlyInAnyOrder("n00", "n01", "n02");
    }

    @Test
    void replicasSpreadOverFaultDomainsBeforeBalancingLoad() {
        // a and b share fd0; c (fd1) is already busy. Spreading the partition still puts the second replica on c.
        List<NodeCandidate> nodes = List.of(
                node("a", "fd0", "ud0", CPU4, Map.of()), node("b", "fd0", "ud1", CPU4, Map.of()), node("c", "fd1", "ud2", CPU4, Map.of()));
        PartitionDemand busy = new PartitionDemand(Fixtures.SERVICE, partition(9), ServiceKind.STATELESS, 1, "", null,
                Map.of("cpu", 3.0), List.of(replica(90, "c", None)));
        PlacementPlan plan = plan(nodes, busy, demand(1, ServiceKind.STATELESS, 2, "", null, Map.of("cpu", 0.5)));
        assertThat(nodesOf(plan, partition(1))).containsExactly("a", "c");
    }

    @Test
    void upgradeDomainsAreSpreadToo() {
        // One fault domain, two upgrade domains: two replicas land in different upgrade domains.
        List<NodeCandidate> nodes = List.of(node("a", "fd", "ud0"), node("b", "fd", "ud0"), node("c", "fd", "ud1"));
        PlacementPlan plan = plan(nodes, stateless(1, 2));
        assertThat(nodesOf(plan, partition(1))).containsExactly("a", "c");
    }

    @Test
    void loadIsBalancedAcrossNodesNormalisedByCapacity() {
        // big has twice the capacity of small: it should take about twice the replicas.
        List<NodeCandidate> nodes = List.of(node("big", "fd", "ud", Map.of("cpu", 8.0), Map.of()),
                node("small", "fd", "ud", Map.of("cpu", 4.0), Map.of()));
        List<PartitionDemand> demands = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            demands.add(demand(i, ServiceKind.STATELESS, 1, "", null, Map.of("cpu", 1.0)));
        }
        PlacementPlan plan = new PlacementPlanner().plan(new PlacementProblem(nodes, demands));
        assertThat(plan.placements().stream().filter(p -> p.node().equals("big")).count()).isEqualTo(8);
        assertThat(plan.placements().stream().filter(p -> p.node().equals("small")).count()).isEqualTo(4);
    }

    @Test
    void replicasWithoutLoadAreSpreadByCount() {
        List<PartitionDemand> demands = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            demands.add(stateless(i, 1));
        }
        PlacementPlan plan = new PlacementPlanner().plan(new PlacementProblem(grid(3, 1, 1, Map.of()), demands));
        Map<String, Long> perNode = new HashMap<>();
        plan.placements().forEach(p -> perNode.merge(p.node(), 1L, Long::sum));
        assertThat(perNode).containsOnly(Map.entry("n00", 10L), Map.entry("n01", 10L), Map.entry("n02", 10L));
    }

    @Test
    void aNodeAlreadyRunningTheSharedActivationIsPreferred() {
        // a runs App1/Pkg for partition 1; b carries an equal exclusive load. Partition 2 of the group costs nothing on a.
        List<NodeCandidate> nodes = List.of(node("a", "fd", "ud", CPU4, Map.of()), node("b", "fd", "ud", CPU4, Map.of()));
        PartitionDemand hosted = new PartitionDemand(Fixtures.SERVICE, partition(1), ServiceKind.STATELESS, 1, "", "App1/Pkg",
                Map.of("cpu", 1.0), List.of(replica(1, "a", None)));
        PartitionDemand other = new PartitionDemand(Fixtures.SERVICE, partition(3), ServiceKind.STATELESS, 1, "", null,
                Map.of("cpu", 1.0), List.of(replica(2, "b", None)));
        PartitionDemand next = demand(2, ServiceKind.STATELESS, 1, "", "App1/Pkg", Map.of("cpu", 1.0));
        assertThat(nodesOf(plan(nodes, hosted, other, next), partition(2))).containsExactly("a");
        // The same partition without the shared activation goes to the lower name on the tie... which is a too,
        // so check the converse: when b runs the group, b wins.
        PartitionDemand hostedOnB = new PartitionDemand(Fixtures.SERVICE, partition(1), ServiceKind.STATELESS, 1, "", "App1/Pkg",
                Map.of("cpu", 1.0), List.of(replica(1, "b", None)));
        PartitionDemand otherOnA = new PartitionDemand(Fixtures.SERVICE, partition(3), ServiceKind.STATELESS, 1, "", null,
                Map.of("cpu", 1.0), List.of(replica(2, "a", None)));
        assertThat(nodesOf(plan(nodes, hostedOnB, otherOnA, next), partition(2))).containsExactly("b");
    }

    @Test
    void spreadingThePartitionComesBeforeTheSharedActivation() {
        // a (fd0) runs the group; the partition already has a replica in fd0 (on b); c in fd1 wins.
        List<NodeCandidate> nodes = List.of(node("a", "fd0", "ud0"), node("b", "fd0", "ud1"), node("c", "fd1", "ud2"));
        PartitionDemand hosted = new PartitionDemand(Fixtures.SERVICE, partition(1), ServiceKind.STATELESS, 1, "", "App1/Pkg",
                Map.of(), List.of(replica(1, "a", None)));
        PartitionDemand spreading = new PartitionDemand(Fixtures.SERVICE, partition(2), ServiceKind.STATELESS, 2, "", "App1/Pkg",
                Map.of(), List.of(replica(2, "b", None)));
        assertThat(nodesOf(plan(nodes, hosted, spreading), partition(2))).containsExactly("c");
    }

    @Test
    void aLostReplicaIsReplacedAndASecondaryPromoted() {
        List<NodeCandidate> nodes = new ArrayList<>(grid(4, 4, 1, Map.of()));
        nodes.set(0, new NodeCandidate("n00", "fd0", "ud0", Map.of(), Map.of(), false));
        PlacementPlan plan = plan(nodes, stateful(1, 3, lost(1, "n00", Primary), replica(3, "n02", ActiveSecondary),
                replica(2, "n01", ActiveSecondary)));
        assertThat(plan.removals()).containsExactly(new ReplicaRemoval(1, "replica lost (unhealthy) on node 'n00'"));
        assertThat(plan.roleChanges()).containsExactly(new RoleChange(2, Primary));
        assertThat(plan.placements()).containsExactly(new ReplicaPlacement(Fixtures.SERVICE, partition(1), "n03", ActiveSecondary));
    }

    @Test
    void scalingDownRemovesWithoutPlacing() {
        PlacementPlan plan = plan(grid(3, 3, 1, Map.of()), stateless(1, 1, replica(1, "n00", None), replica(2, "n01", None)));
        assertThat(plan.placements()).isEmpty();
        assertThat(plan.removals()).containsExactly(new ReplicaRemoval(2, "scale down: 2 healthy replicas, target 1"));
    }

    @Test
    void removedReplicasFreeTheirCapacityInTheSamePlan() {
        // The only node is full with a replica that scale-down removes; the other partition fits in its place.
        List<NodeCandidate> nodes = List.of(node("a", "", "", Map.of("cpu", 1.0), Map.of()));
        PartitionDemand shrinking = new PartitionDemand(Fixtures.SERVICE, partition(1), ServiceKind.STATELESS, 0, "", null,
                Map.of("cpu", 1.0), List.of(replica(1, "a", None)));
        PlacementPlan plan = plan(nodes, shrinking, demand(2, ServiceKind.STATELESS, 1, "", null, Map.of("cpu", 1.0)));
        assertThat(nodesOf(plan, partition(2))).containsExactly("a");
    }

    @Test
    void impossiblePlacementIsPartialAndExplainsEveryRule() {
        List<NodeCandidate> nodes = List.of(
                node("fe1", "fd0", "ud0", Map.of("memoryMiB", 4096.0), Map.of("NodeType", "frontend")),
                node("fe2", "fd1", "ud1", Map.of("memoryMiB", 4096.0), Map.of("NodeType", "frontend")),
                node("be1", "fd0", "ud0", Map.of("memoryMiB", 1024.0), Map.of("NodeType", "backend")),
                node("be2", "fd1", "ud1", Map.of("memoryMiB", 100.0), Map.of("NodeType", "backend")),
                node("be3", "fd2", "ud2", Map.of("memoryMiB", 80.5), Map.of("NodeType", "backend")),
                new NodeCandidate("be4", "fd3", "ud3", Map.of(), Map.of("NodeType", "backend"), false));
        PlacementPlan plan = plan(nodes, demand(1, ServiceKind.STATEFUL, 3, "NodeType == \"backend\"", null, Map.of("memoryMiB", 512.0)));
        assertThat(plan.placements()).containsExactly(new ReplicaPlacement(Fixtures.SERVICE, partition(1), "be1", Primary));
        assertThat(plan.failures()).containsExactly(new PlacementFailure(Fixtures.SERVICE, partition(1), 1, 3,
                "placed 1 of 3: 2 nodes excluded by capacity (memoryMiB: needs 512, be2 has 100 free, be3 has 80.5 free), "
                        + "2 nodes excluded by constraint 'NodeType == \"backend\"' (fe1, fe2), 1 node down or disabled (be4), "
                        + "1 node already hosting a replica of this partition (be1)"));
    }

    @Test
    void failureReasonsNameAFewNodesAndCountTheRest() {
        List<NodeCandidate> nodes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            nodes.add(node("n" + i, "fd" + i, "ud", Map.of(), Map.of("NodeType", "backend")));
        }
        PlacementPlan plan = plan(nodes, demand(1, ServiceKind.STATELESS, 1, "NodeType == \"frontend\"", null, Map.of()));
        assertThat(plan.failures()).singleElement().extracting(PlacementFailure::reason).isEqualTo(
                "placed 0 of 1: 6 nodes excluded by constraint 'NodeType == \"frontend\"' (n0, n1, n2, and 3 more)");
    }

    @Test
    void anInvalidConstraintIsAFailureNotAnException() {
        PlacementPlan plan = plan(grid(2, 2, 1, Map.of()), demand(1, ServiceKind.STATELESS, 1, "NodeType = \"x\"", null, Map.of()));
        assertThat(plan.placements()).isEmpty();
        assertThat(plan.failures()).singleElement().extracting(PlacementFailure::reason).isEqualTo(
                "placed 0 of 1: invalid placement constraint 'NodeType = \"x\"': expected '==' (a single '=' is not an operator) at position 10");
    }

    @Test
    void anEmptyClusterSaysSo() {
        PlacementPlan plan = plan(List.of(), stateless(1, 2));
        assertThat(plan.failures()).singleElement().extracting(PlacementFailure::reason).isEqualTo("placed 0 of 2: the cluster has no nodes");
    }

    @Test
    void instanceCountMinusOnePlacesOnEveryEligibleMatchingNodeWithRoom() {
        List<NodeCandidate> nodes = List.of(
                node("a", "fd0", "ud0", CPU4, Map.of("NodeType", "frontend")),
                node("b", "fd1", "ud0", Map.of("cpu", 0.5), Map.of("NodeType", "frontend")),
                node("c", "fd2", "ud0", CPU4, Map.of("NodeType", "backend")),
                new NodeCandidate("d", "fd3", "ud0", CPU4, Map.of("NodeType", "frontend"), false),
                node("e", "fd4", "ud0", CPU4, Map.of("NodeType", "frontend")));
        PartitionDemand everywhere = new PartitionDemand(Fixtures.SERVICE, partition(1), ServiceKind.STATELESS,
                PartitionDemand.EVERY_NODE, "NodeType == \"frontend\"", null, Map.of("cpu", 1.0), List.of(replica(1, "e", None)));
        PlacementPlan plan = plan(nodes, everywhere);
        assertThat(nodesOf(plan, partition(1))).containsExactly("a");
        assertThat(plan.failures()).singleElement().satisfies(f -> {
            assertThat(f.placed()).isEqualTo(2);
            assertThat(f.wanted()).isEqualTo(3);
            assertThat(f.reason()).startsWith("placed 2 of 3: 1 node excluded by capacity (cpu: needs 1, b has 0.5 free)");
        });
    }

    @Test
    void theSeedWalkThroughPutsEveryPartitionOnEveryNode() {
        // Seed 004: 3 nodes; App1/ServiceA 2×3, App1/ServiceB 1×3 (shared), App2/ServiceA 1×3, App1/ServiceC exclusive 2×3.
        List<NodeCandidate> nodes = List.of(node("Node1", "fd:/1", "UD0"), node("Node2", "fd:/2", "UD1"), node("Node3", "fd:/3", "UD2"));
        List<PartitionDemand> demands = new ArrayList<>();
        int[] p = {0};
        java.util.function.BiConsumer<ServiceName, String> add = (name, group) -> demands.add(new PartitionDemand(
                name, new UUID(7, p[0]++), ServiceKind.STATEFUL, 3, "", group, Map.of("memoryMiB", 100.0), List.of()));
        add.accept(new ServiceName("App1", "ServiceA"), "App1/MyServicePackage");
        add.accept(new ServiceName("App1", "ServiceA"), "App1/MyServicePackage");
        add.accept(new ServiceName("App1", "ServiceB"), "App1/MyServicePackage");
        add.accept(new ServiceName("App2", "ServiceA"), "App2/MyServicePackage");
        add.accept(new ServiceName("App1", "ServiceC"), null);
        add.accept(new ServiceName("App1", "ServiceC"), null);
        PlacementPlan plan = new PlacementPlanner().plan(new PlacementProblem(nodes, demands));
        assertThat(plan.failures()).isEmpty();
        for (PartitionDemand d : demands) {
            assertThat(nodesOf(plan, d.partitionId())).containsExactlyInAnyOrder("Node1", "Node2", "Node3");
        }
        Map<String, Long> primaries = new HashMap<>();
        plan.placements().stream().filter(x -> x.role() == Primary).forEach(x -> primaries.merge(x.node(), 1L, Long::sum));
        assertThat(primaries).containsOnly(Map.entry("Node1", 2L), Map.entry("Node2", 2L), Map.entry("Node3", 2L));
    }

    @Test
    void thePlanDoesNotDependOnNodeInputOrder() {
        List<NodeCandidate> nodes = new ArrayList<>(grid(12, 3, 2, Map.of("cpu", 4.0)));
        List<PartitionDemand> demands = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            demands.add(demand(i, i % 2 == 0 ? ServiceKind.STATEFUL : ServiceKind.STATELESS, 3, "", i % 3 == 0 ? "A/P" : null,
                    Map.of("cpu", 0.25 * (1 + i % 4))));
        }
        PlacementPlan expected = new PlacementPlanner().plan(new PlacementProblem(nodes, demands));
        Collections.reverse(nodes);
        assertThat(new PlacementPlanner().plan(new PlacementProblem(nodes, demands))).isEqualTo(expected);
    }

    @Test
    void duplicateNodesOrPartitionsAreRejected() {
        assertThatThrownBy(() -> plan(List.of(node("a", "", ""), node("a", "x", "y")), stateless(1, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("node 'a' appears twice in the placement problem");
        assertThatThrownBy(() -> plan(List.of(node("a", "", "")), stateless(1, 1), stateful(1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partition " + partition(1) + " of capstan:/App1/ServiceA appears twice in the placement problem");
    }

    @Test
    void demandsValidateTheirInput() {
        assertThatThrownBy(() -> stateless(1, -2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("targetReplicas must be >= 0 or -1 (every node), was -2");
        assertThatThrownBy(() -> demand(1, ServiceKind.STATELESS, 1, "", null, Map.of("cpu", -1.0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("load of metric 'cpu' must be a finite number >= 0, was -1.0");
        PartitionDemand d = new PartitionDemand(Fixtures.SERVICE, partition(1), ServiceKind.STATELESS, 1, null, null, null, null);
        assertThat(d.placementConstraint()).isEmpty();
        assertThat(d.load()).isEmpty();
        assertThat(d.existing()).isEmpty();
        assertThat(new ExistingReplica(1, "a", null, true).role()).isEqualTo(ReplicaRole.None);
    }

    @Test
    void anEmptyPlanHasNoChanges() {
        PlacementPlan plan = plan(grid(2, 2, 1, Map.of()), stateless(1, 1, replica(1, "n00", None)));
        assertThat(plan.hasChanges()).isFalse();
        assertThat(plan.failures()).isEmpty();
    }
}
