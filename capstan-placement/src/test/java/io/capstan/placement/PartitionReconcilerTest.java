package io.capstan.placement;

import static io.capstan.placement.Fixtures.grid;
import static io.capstan.placement.Fixtures.lost;
import static io.capstan.placement.Fixtures.replica;
import static io.capstan.placement.Fixtures.stateful;
import static io.capstan.placement.Fixtures.stateless;
import static io.capstan.model.cluster.ReplicaRole.ActiveSecondary;
import static io.capstan.model.cluster.ReplicaRole.None;
import static io.capstan.model.cluster.ReplicaRole.Primary;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.ServiceKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartitionReconcilerTest {

    private final List<NodeCandidate> nodes = grid(6, 3, 2, Map.of());

    private ReconciledPartition reconcile(List<NodeCandidate> cluster, PartitionDemand d) {
        ClusterIndex index = new ClusterIndex(new PlacementProblem(cluster, List.of(d)));
        FeasibleSet set = new FeasibilityFilter(index).forConstraint(d.placementConstraint());
        return new PartitionReconciler(index).reconcile(d, set);
    }

    private ReconciledPartition reconcile(PartitionDemand d) {
        return reconcile(nodes, d);
    }

    @Test
    void aNewPartitionMissesItsWholeTarget() {
        ReconciledPartition r = reconcile(stateful(1, 3));
        assertThat(r.kept()).isEmpty();
        assertThat(r.missing()).isEqualTo(3);
        assertThat(r.hasPrimary()).isFalse();
        assertThat(r.removals()).isEmpty();
        assertThat(r.roleChanges()).isEmpty();
    }

    @Test
    void healthyReplicasStayAndOnlyTheShortfallIsMissing() {
        ReconciledPartition r = reconcile(stateful(1, 3, replica(7, "n00", Primary), replica(8, "n01", ActiveSecondary)));
        assertThat(r.kept()).extracting(ExistingReplica::replicaId).containsExactly(7L, 8L);
        assertThat(r.missing()).isEqualTo(1);
        assertThat(r.hasPrimary()).isTrue();
        assertThat(r.removals()).isEmpty();
        assertThat(r.roleChanges()).isEmpty();
    }

    @Test
    void lostReplicasAreRemovedWithAReasonAndReplaced() {
        ReconciledPartition r = reconcile(stateful(1, 3, replica(7, "n00", Primary), lost(8, "n01", ActiveSecondary)));
        assertThat(r.removals()).containsExactly(new ReplicaRemoval(8, "replica lost (unhealthy) on node 'n01'"));
        assertThat(r.missing()).isEqualTo(2);
    }

    @Test
    void replicasOnUnknownDisabledOrNonMatchingNodesAreRemoved() {
        List<NodeCandidate> cluster = new ArrayList<>(nodes);
        cluster.set(1, new NodeCandidate("n01", "fd1", "ud0", Map.of(), Map.of(), false));
        cluster.set(2, new NodeCandidate("n02", "fd2", "ud0", Map.of(), Map.of("NodeType", "backend"), true));
        PartitionDemand d = new PartitionDemand(Fixtures.SERVICE, Fixtures.partition(1), ServiceKind.STATELESS, 4,
                "NodeType != \"frontend\"", null, Map.of(),
                List.of(replica(1, "gone", None), replica(2, "n01", None), replica(3, "n02", None), replica(4, "n03", None)));
        ReconciledPartition r = reconcile(cluster, d);
        assertThat(r.removals()).containsExactly(
                new ReplicaRemoval(1, "node 'gone' is not in the cluster"),
                new ReplicaRemoval(2, "node 'n01' is down or disabled"),
                new ReplicaRemoval(4, "node 'n03' does not satisfy placement constraint 'NodeType != \"frontend\"'"));
        assertThat(r.kept()).extracting(ExistingReplica::replicaId).containsExactly(3L);
    }

    @Test
    void aSecondReplicaOnTheSameNodeIsRemovedAndThePrimaryWins() {
        ReconciledPartition r = reconcile(stateful(1, 3, replica(3, "n00", ActiveSecondary), replica(9, "n00", Primary)));
        assertThat(r.removals()).containsExactly(new ReplicaRemoval(3, "replica 9 of this partition is already on node 'n00'"));
        assertThat(r.kept()).extracting(ExistingReplica::replicaId).containsExactly(9L);
    }

    @Test
    void scaleDownRemovesSecondariesBeforeThePrimary() {
        ReconciledPartition r = reconcile(stateful(1, 1,
                replica(1, "n00", ActiveSecondary), replica(2, "n01", Primary), replica(3, "n02", ActiveSecondary)));
        assertThat(r.removals()).extracting(ReplicaRemoval::replicaId).containsExactlyInAnyOrder(1L, 3L);
        assertThat(r.removals()).allSatisfy(x -> assertThat(x.reason()).isEqualTo("scale down: 3 healthy replicas, target 1"));
        assertThat(r.kept()).extracting(ExistingReplica::replicaId).containsExactly(2L);
        assertThat(r.missing()).isZero();
    }

    @Test
    void scaleDownTakesFromTheMostCrowdedDomainsFirst() {
        // n00 (fd0,ud0), n03 (fd0,ud1), n01 (fd1,ud0): n00 shares both domains with another replica.
        ReconciledPartition r = reconcile(stateless(1, 2, replica(1, "n00", None), replica(2, "n03", None), replica(3, "n01", None)));
        assertThat(r.removals()).extracting(ReplicaRemoval::replicaId).containsExactly(1L);
    }

    @Test
    void scaleDownBreaksTiesByRemovingTheNewestReplica() {
        // Three replicas in three different fault domains and one upgrade domain: equally crowded.
        ReconciledPartition r = reconcile(stateless(1, 2, replica(5, "n00", None), replica(6, "n01", None), replica(4, "n02", None)));
        assertThat(r.removals()).extracting(ReplicaRemoval::replicaId).containsExactly(6L);
    }

    @Test
    void targetZeroRemovesEverythingIncludingThePrimary() {
        ReconciledPartition r = reconcile(stateful(1, 0, replica(1, "n00", Primary), replica(2, "n01", ActiveSecondary)));
        assertThat(r.removals()).extracting(ReplicaRemoval::replicaId).containsExactlyInAnyOrder(1L, 2L);
        assertThat(r.roleChanges()).isEmpty();
        assertThat(r.hasPrimary()).isFalse();
    }

    @Test
    void withoutAHealthyPrimaryTheLowestIdSecondaryIsPromoted() {
        ReconciledPartition r = reconcile(stateful(1, 3,
                lost(1, "n00", Primary), replica(8, "n01", ActiveSecondary), replica(5, "n02", ActiveSecondary)));
        assertThat(r.roleChanges()).containsExactly(new RoleChange(5, Primary));
        assertThat(r.hasPrimary()).isTrue();
        assertThat(r.missing()).isEqualTo(1);
    }

    @Test
    void twoPrimariesAreResolvedToTheLowestId() {
        ReconciledPartition r = reconcile(stateful(1, 2, replica(4, "n00", Primary), replica(2, "n01", Primary)));
        assertThat(r.roleChanges()).containsExactly(new RoleChange(4, ActiveSecondary));
    }

    @Test
    void rolesAreNormalisedToTheKind() {
        ReconciledPartition stateless = reconcile(stateless(1, 2, replica(1, "n00", Primary), replica(2, "n01", None)));
        assertThat(stateless.roleChanges()).containsExactly(new RoleChange(1, None));
        ReconciledPartition stateful = reconcile(stateful(1, 2, replica(1, "n00", Primary), replica(2, "n01", None)));
        assertThat(stateful.roleChanges()).containsExactly(new RoleChange(2, ActiveSecondary));
    }

    @Test
    void everyNodeTargetCountsEligibleNodesThatPassTheConstraint() {
        List<NodeCandidate> cluster = new ArrayList<>(nodes);
        cluster.set(0, new NodeCandidate("n00", "fd0", "ud0", Map.of(), Map.of(), false));
        cluster.set(1, new NodeCandidate("n01", "fd1", "ud0", Map.of(), Map.of("NodeType", "frontend"), true));
        cluster.set(2, new NodeCandidate("n02", "fd2", "ud0", Map.of(), Map.of("NodeType", "frontend"), true));
        PartitionDemand d = new PartitionDemand(Fixtures.SERVICE, Fixtures.partition(1), ServiceKind.STATELESS,
                PartitionDemand.EVERY_NODE, "NodeType == \"frontend\"", null, Map.of(), List.of(replica(1, "n01", None)));
        ReconciledPartition r = reconcile(cluster, d);
        assertThat(r.target()).isEqualTo(2);
        assertThat(r.missing()).isEqualTo(1);
    }

    @Test
    void anUnreadableConstraintDoesNotEvictRunningReplicas() {
        PartitionDemand d = new PartitionDemand(Fixtures.SERVICE, Fixtures.partition(1), ServiceKind.STATELESS, 2,
                "NodeType ==", null, Map.of(), List.of(replica(1, "n01", None)));
        ReconciledPartition r = reconcile(d);
        assertThat(r.removals()).isEmpty();
        assertThat(r.kept()).hasSize(1);
    }
}
