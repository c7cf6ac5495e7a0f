package io.capstan.placement;

import static io.capstan.placement.Fixtures.allReady;
import static io.capstan.placement.Fixtures.apply;
import static io.capstan.placement.Fixtures.down;
import static io.capstan.placement.Fixtures.draining;
import static io.capstan.placement.Fixtures.grid;
import static io.capstan.placement.Fixtures.inBuild;
import static io.capstan.placement.Fixtures.lost;
import static io.capstan.placement.Fixtures.nodeFails;
import static io.capstan.placement.Fixtures.nodesOf;
import static io.capstan.placement.Fixtures.partition;
import static io.capstan.placement.Fixtures.primariesPerNode;
import static io.capstan.placement.Fixtures.replica;
import static io.capstan.placement.Fixtures.stateful;
import static io.capstan.placement.Fixtures.stateless;
import static io.capstan.placement.Fixtures.up;
import static io.capstan.model.cluster.ReplicaRole.ActiveSecondary;
import static io.capstan.model.cluster.ReplicaRole.None;
import static io.capstan.model.cluster.ReplicaRole.Primary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        PartitionReconciler reconciler = new PartitionReconciler(index);
        ReconciledPartition r = reconciler.reconcile(d, set);
        // As the planner does for a partition alone: no node holds a Primary yet.
        return r.primaryPending() ? reconciler.promote(r, new int[index.nodeCount]) : r;
    }

    private ReconciledPartition reconcile(PartitionDemand d) {
        return reconcile(nodes, d);
    }

    private static PlacementPlan plan(PlacementProblem problem) {
        return new PlacementPlanner().plan(problem);
    }

    private static PlacementProblem problem(List<NodeCandidate> cluster, PartitionDemand... demands) {
        return new PlacementProblem(cluster, List.of(demands));
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
    void withoutAHealthyPrimaryAndAtEqualPrimaryCountsTheLowestIdSecondaryIsPromoted() {
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

    // ---------------------------------------------------------------- graceful drain (node being disabled)

    @Test
    void replicasOnADrainingNodeStayButDoNotCountTowardTheTarget() {
        ReconciledPartition r = reconcile(draining(nodes, "n02"), stateful(1, 3,
                replica(1, "n00", Primary), replica(2, "n01", ActiveSecondary), replica(3, "n02", ActiveSecondary)));
        assertThat(r.kept()).extracting(ExistingReplica::replicaId).containsExactly(1L, 2L);
        assertThat(r.draining()).extracting(ExistingReplica::replicaId).containsExactly(3L);
        assertThat(r.missing()).isEqualTo(1);
        assertThat(r.removals()).isEmpty();
    }

    @Test
    void aDrainingReplicaStaysUntilItsReplacementIsReadyThenGoes() {
        PlacementProblem start = problem(draining(nodes, "n02"), stateful(1, 3,
                replica(1, "n00", Primary), replica(2, "n01", ActiveSecondary), replica(3, "n02", ActiveSecondary)));
        PlacementPlan first = plan(start);
        assertThat(first.placements()).singleElement().satisfies(p -> {
            assertThat(p.role()).isEqualTo(ActiveSecondary);
            assertThat(p.node()).isNotIn("n00", "n01", "n02");
        });
        assertThat(first.removals()).isEmpty();
        assertThat(first.roleChanges()).isEmpty();
        assertThat(first.failures()).isEmpty();

        // The replacement is still building: the draining replica keeps serving.
        PlacementProblem building = apply(start, first, false);
        assertThat(plan(building).hasChanges()).isFalse();

        String replacementNode = first.placements().get(0).node();
        PlacementPlan ready = plan(allReady(building));
        assertThat(ready.removals()).containsExactly(
                new ReplicaRemoval(3, "node 'n02' is being disabled; replacement ready on " + replacementNode));
        assertThat(ready.placements()).isEmpty();
        assertThat(ready.roleChanges()).isEmpty();
        assertThat(plan(apply(allReady(building), ready)).hasChanges()).isFalse();
    }

    @Test
    void aPrimaryOnADrainingNodeHandsOverToTheMostAdvancedReadySecondaryInOnePlan() {
        PlacementProblem start = problem(draining(nodes, "n00"), stateful(1, 3, replica(1, "n00", Primary),
                replica(2, "n01", ActiveSecondary, true, 5), replica(3, "n02", ActiveSecondary, true, 9)));
        PlacementPlan swap = plan(start);
        assertThat(swap.roleChanges()).containsExactly(new RoleChange(1, ActiveSecondary), new RoleChange(3, Primary));
        // The demoted replica stays for this plan; its replacement is placed as a secondary.
        assertThat(swap.removals()).isEmpty();
        assertThat(swap.placements()).singleElement().extracting(ReplicaPlacement::role).isEqualTo(ActiveSecondary);

        PlacementPlan after = plan(apply(start, swap));
        assertThat(after.removals()).extracting(ReplicaRemoval::replicaId).containsExactly(1L);
        assertThat(after.roleChanges()).isEmpty();
    }

    @Test
    void aDemotedPrimaryStaysForThePlanThatDemotesItEvenWhenTheTargetIsMet() {
        PlacementProblem start = problem(draining(nodes, "n00"), stateful(1, 2,
                replica(1, "n00", Primary), replica(2, "n01", ActiveSecondary), replica(3, "n02", ActiveSecondary)));
        PlacementPlan swap = plan(start);
        assertThat(swap.roleChanges()).containsExactly(new RoleChange(1, ActiveSecondary), new RoleChange(2, Primary));
        assertThat(swap.removals()).isEmpty();
        assertThat(swap.placements()).isEmpty();
        assertThat(plan(apply(start, swap)).removals()).containsExactly(
                new ReplicaRemoval(1, "node 'n00' is being disabled; replacement ready on n02"));
    }

    @Test
    void aDrainingPrimaryStaysPrimaryWhileNoSecondaryElsewhereIsReady() {
        PlacementProblem start = problem(draining(nodes, "n00"), stateful(1, 3, replica(1, "n00", Primary),
                inBuild(2, "n01", ActiveSecondary), inBuild(3, "n02", ActiveSecondary)));
        PlacementPlan plan = plan(start);
        assertThat(plan.roleChanges()).isEmpty();
        assertThat(plan.removals()).isEmpty();
        assertThat(plan.placements()).singleElement().extracting(ReplicaPlacement::role).isEqualTo(ActiveSecondary);
    }

    @Test
    void withNoOtherFeasibleNodeADrainingReplicaIsRemovedAnywayAndTheFailureSaysSo() {
        List<NodeCandidate> three = draining(grid(3, 3, 1, Map.of()), "n02");
        PlacementPlan plan = plan(problem(three, stateful(1, 3,
                replica(1, "n00", Primary), replica(2, "n01", ActiveSecondary), replica(3, "n02", ActiveSecondary))));
        assertThat(plan.placements()).isEmpty();
        assertThat(plan.removals()).containsExactly(new ReplicaRemoval(3,
                "node 'n02' is being disabled and no other node can take a replacement; removed without one so the drain can complete"));
        assertThat(plan.failures()).containsExactly(new PlacementFailure(Fixtures.SERVICE, partition(1), 2, 3,
                "placed 2 of 3: 1 node being disabled (n02), 2 nodes already hosting a replica of this partition (n00, n01); "
                        + "removed without a replacement from nodes being disabled: replica 3 on n02"));
    }

    @Test
    void withOneSpareNodeForTwoDrainingReplicasOneWaitsForTheReplacementAndOneGoes() {
        // n01 and n02 drain; only n03 can take a replica.
        List<NodeCandidate> four = draining(draining(grid(4, 4, 1, Map.of()), "n01"), "n02");
        PlacementProblem start = problem(four, stateful(1, 3,
                replica(1, "n00", Primary), replica(2, "n01", ActiveSecondary), replica(3, "n02", ActiveSecondary)));
        PlacementPlan first = plan(start);
        assertThat(nodesOf(first, partition(1))).containsExactly("n03");
        // The one kept is the one first in line (Ready, then most progress, then lowest id): replica 2.
        assertThat(first.removals()).extracting(ReplicaRemoval::replicaId).containsExactly(3L);
        assertThat(first.failures()).singleElement().extracting(PlacementFailure::placed).isEqualTo(2);

        PlacementProblem building = apply(start, first, false);
        assertThat(plan(building).removals()).isEmpty();
        assertThat(plan(allReady(building)).removals()).containsExactly(new ReplicaRemoval(2,
                "node 'n01' is being disabled and no other node can take a replacement; removed without one so the drain can complete"));
    }

    @Test
    void aDrainingPrimaryWithNothingElseLeftIsRemovedSoTheDrainCompletes() {
        List<NodeCandidate> one = draining(grid(1, 1, 1, Map.of()), "n00");
        PlacementPlan plan = plan(problem(one, stateful(1, 1, replica(1, "n00", Primary))));
        assertThat(plan.removals()).extracting(ReplicaRemoval::replicaId).containsExactly(1L);
        assertThat(plan.failures()).singleElement().extracting(PlacementFailure::reason).asString()
                .startsWith("placed 0 of 1: 1 node being disabled (n00)")
                .endsWith("removed without a replacement from nodes being disabled: replica 1 on n00");
    }

    @Test
    void aDrainNeverTakesAStatefulPartitionBelowItsMinimumOfReadyReplicas() {
        List<NodeCandidate> three = draining(grid(3, 3, 1, Map.of()), "n02");
        ExistingReplica[] replicas = {replica(1, "n00", Primary), replica(2, "n01", ActiveSecondary),
            replica(3, "n02", ActiveSecondary)};
        PartitionDemand minimumTwo = withMinimum(stateful(1, 3, replicas), 2);
        assertThat(plan(problem(three, minimumTwo)).removals()).as("2 Ready elsewhere meet the minimum of 2")
                .extracting(ReplicaRemoval::replicaId).containsExactly(3L);

        PartitionDemand minimumThree = withMinimum(stateful(1, 3, replicas), 3);
        PlacementPlan held = plan(problem(three, minimumThree));
        assertThat(held.removals()).as("the drain waits: no node can take a replacement").isEmpty();
        assertThat(held.failures()).singleElement().extracting(PlacementFailure::placed).isEqualTo(2);

        List<NodeCandidate> one = draining(grid(1, 1, 1, Map.of()), "n00");
        assertThat(plan(problem(one, withMinimum(stateful(1, 1, replica(1, "n00", Primary)), 1))).removals())
                .as("a single-replica partition keeps its only copy").isEmpty();
    }

    private static PartitionDemand withMinimum(PartitionDemand d, int min) {
        return new PartitionDemand(d.service(), d.partitionId(), d.kind(), d.targetReplicas(), d.placementConstraint(),
                d.activationGroup(), d.load(), d.existing(), min);
    }

    @Test
    void anInstanceOnADrainingNodeOfAnEveryNodeServiceIsSimplyRemoved() {
        List<NodeCandidate> cluster = draining(nodes, "n03");
        List<ExistingReplica> everywhere = new ArrayList<>();
        for (NodeCandidate n : nodes) {
            everywhere.add(replica(everywhere.size() + 1, n.name(), None));
        }
        PlacementPlan plan = plan(problem(cluster, stateless(1, PartitionDemand.EVERY_NODE, everywhere.toArray(ExistingReplica[]::new))));
        assertThat(plan.removals()).containsExactly(
                new ReplicaRemoval(4, "node 'n03' is being disabled; one replica per node, no replacement needed"));
        assertThat(plan.placements()).isEmpty();
        assertThat(plan.failures()).isEmpty();
    }

    @Test
    void aDrainingReplicaOfAPartitionScaledToZeroIsRemoved() {
        ReconciledPartition r = reconcile(draining(nodes, "n00"), stateful(1, 0, replica(1, "n00", Primary)));
        assertThat(r.removals()).containsExactly(new ReplicaRemoval(1, "node 'n00' is being disabled; target 0 needs no replacement"));
        assertThat(r.draining()).isEmpty();
        assertThat(r.roleChanges()).isEmpty();
    }

    @Test
    void aNodeCannotBeBothEligibleAndDraining() {
        assertThatThrownBy(() -> new NodeCandidate("n", "", "", Map.of(), Map.of(), true, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("node 'n' cannot be both eligible and draining");
    }

    // ---------------------------------------------------------------- failover

    @Test
    void failoverPromotesTheReplicaWithTheMostProgressEvenIfStillBuilding() {
        ReconciledPartition r = reconcile(stateful(1, 3, lost(1, "n00", Primary),
                replica(2, "n01", ActiveSecondary, true, 3), replica(3, "n02", ActiveSecondary, false, 4)));
        assertThat(r.roleChanges()).containsExactly(new RoleChange(3, Primary));
    }

    @Test
    void failoverPrefersAReadyReplicaAtEqualProgress() {
        ReconciledPartition r = reconcile(stateful(1, 4, lost(1, "n00", Primary),
                replica(2, "n01", ActiveSecondary, true, 5), replica(3, "n02", ActiveSecondary, false, 7),
                replica(4, "n03", ActiveSecondary, true, 7)));
        assertThat(r.roleChanges()).containsExactly(new RoleChange(4, Primary));
    }

    @Test
    void failoverWithoutProgressPrefersReadyThenTheLowestId() {
        ReconciledPartition r = reconcile(stateful(1, 4, lost(1, "n00", Primary),
                inBuild(2, "n01", ActiveSecondary), replica(6, "n02", ActiveSecondary), replica(5, "n03", ActiveSecondary)));
        assertThat(r.roleChanges()).containsExactly(new RoleChange(5, Primary));
    }

    @Test
    void failoverPrefersAReplicaThatIsNotBeingDrained() {
        ReconciledPartition r = reconcile(draining(nodes, "n01"), stateful(1, 3, lost(1, "n00", Primary),
                replica(2, "n01", ActiveSecondary), replica(3, "n02", ActiveSecondary)));
        assertThat(r.roleChanges()).containsExactly(new RoleChange(3, Primary));
    }

    @Test
    void aPrimaryLostWithItsNodeIsReplacedByAPromotionAndANewSecondaryInOnePlan() {
        List<NodeCandidate> cluster = new ArrayList<>(nodes);
        cluster.set(0, new NodeCandidate("n00", "fd0", "ud0", Map.of(), Map.of(), false));
        PlacementPlan plan = plan(problem(cluster, stateful(1, 3, lost(1, "n00", Primary),
                replica(2, "n01", ActiveSecondary), replica(3, "n02", ActiveSecondary))));
        assertThat(plan.removals()).containsExactly(new ReplicaRemoval(1, "replica lost (unhealthy) on node 'n00'"));
        assertThat(plan.roleChanges()).containsExactly(new RoleChange(2, Primary));
        assertThat(plan.placements()).singleElement().satisfies(p -> {
            assertThat(p.role()).isEqualTo(ActiveSecondary);
            assertThat(p.node()).isNotIn("n00", "n01", "n02");
        });
    }

    // ---------------------------------------------------------------- failover: balancing Primaries

    @Test
    void promotionsSpreadPrimariesWhereTheLowestIdsWouldPileThemOnOneNode() {
        // The lowest-id secondary of every partition is on n01: lowest id alone would give n01 all three Primaries.
        PlacementPlan plan = plan(problem(down(nodes, "n00"),
                stateful(1, 3, lost(1, "n00", Primary), replica(11, "n01", ActiveSecondary), replica(12, "n02", ActiveSecondary)),
                stateful(2, 3, lost(2, "n00", Primary), replica(21, "n01", ActiveSecondary), replica(22, "n03", ActiveSecondary)),
                stateful(3, 3, lost(3, "n00", Primary), replica(31, "n01", ActiveSecondary), replica(32, "n04", ActiveSecondary))));
        // Partition 1 meets n01 and n02 with no Primary each: the lowest id still decides.
        assertThat(plan.roleChanges()).containsExactly(new RoleChange(11, Primary), new RoleChange(22, Primary), new RoleChange(32, Primary));
        assertThat(plan.placements()).hasSize(3).allSatisfy(p -> assertThat(p.role()).isEqualTo(ActiveSecondary));
    }

    @Test
    void aPromotionCountsThePrimariesThatStayInLaterPartitions() {
        PlacementPlan plan = plan(problem(down(nodes, "n00"),
                stateful(1, 3, lost(1, "n00", Primary), replica(11, "n01", ActiveSecondary), replica(12, "n02", ActiveSecondary)),
                stateful(2, 3, replica(2, "n01", Primary), replica(21, "n03", ActiveSecondary), replica(22, "n04", ActiveSecondary))));
        assertThat(plan.roleChanges()).containsExactly(new RoleChange(12, Primary));
    }

    @Test
    void aPromotionCountsLaterPromotionsThatHaveASingleCandidate() {
        // Partition 2 has one Ready replica left, on n01: it gets the Primary whatever the counts, so partition 1 avoids n01.
        PlacementPlan plan = plan(problem(down(nodes, "n00"),
                stateful(1, 3, lost(1, "n00", Primary), replica(11, "n01", ActiveSecondary), replica(12, "n02", ActiveSecondary)),
                stateful(2, 3, lost(2, "n00", Primary), replica(21, "n01", ActiveSecondary), inBuild(22, "n03", ActiveSecondary))));
        assertThat(plan.roleChanges()).containsExactly(new RoleChange(12, Primary), new RoleChange(21, Primary));
    }

    @Test
    void aPromotionCountsThePrimariesOfNewPartitionsPlacedBeforeIt() {
        // n00 is down; the new partition 1 goes to n01 (n01 and n02 tie on load, n01 is first by name) as its Primary.
        PlacementPlan plan = plan(problem(down(grid(3, 3, 1, Map.of()), "n00"), stateful(1, 1),
                stateful(2, 2, lost(1, "n00", Primary), replica(21, "n01", ActiveSecondary), replica(22, "n02", ActiveSecondary))));
        assertThat(plan.placements()).containsExactly(new ReplicaPlacement(Fixtures.SERVICE, partition(1), "n01", Primary));
        assertThat(plan.roleChanges()).containsExactly(new RoleChange(22, Primary));
    }

    @Test
    void handoversFromADrainingNodeSpreadPrimariesToo() {
        PlacementProblem start = problem(draining(nodes, "n00"),
                stateful(1, 3, replica(1, "n00", Primary), replica(11, "n01", ActiveSecondary), replica(12, "n02", ActiveSecondary)),
                stateful(2, 3, replica(2, "n00", Primary), replica(21, "n01", ActiveSecondary), replica(22, "n03", ActiveSecondary)));
        PlacementPlan swap = plan(start);
        assertThat(swap.roleChanges()).containsExactly(new RoleChange(1, ActiveSecondary), new RoleChange(11, Primary),
                new RoleChange(2, ActiveSecondary), new RoleChange(22, Primary));
        assertThat(swap.removals()).as("the demoted replicas stay for the plan that demotes them").isEmpty();
        assertThat(primariesPerNode(Fixtures.apply(start, swap))).containsOnly(Map.entry("n01", 1), Map.entry("n03", 1));
    }

    @Test
    void progressReadinessAndNotDrainingAllComeBeforePrimaryCounts() {
        // n01 already holds a Primary; each partition's best candidate by the failover order is on n01 all the same.
        PlacementPlan plan = plan(problem(draining(down(nodes, "n00"), "n05"),
                stateful(9, 3, replica(9, "n01", Primary), replica(91, "n02", ActiveSecondary), replica(92, "n03", ActiveSecondary)),
                stateful(1, 3, lost(1, "n00", Primary),
                        replica(11, "n01", ActiveSecondary, true, 5), replica(12, "n02", ActiveSecondary, true, 4)),
                stateful(2, 3, lost(2, "n00", Primary), replica(21, "n01", ActiveSecondary), inBuild(20, "n02", ActiveSecondary)),
                stateful(3, 3, lost(3, "n00", Primary), replica(31, "n01", ActiveSecondary), replica(30, "n05", ActiveSecondary))));
        assertThat(plan.roleChanges()).containsExactly(new RoleChange(11, Primary), new RoleChange(21, Primary), new RoleChange(31, Primary));
    }

    @Test
    void scaleDownDuringAFailoverNeverRemovesEveryTiedCandidate() {
        // Tied on n01 (fd1,ud0), n02 (fd2,ud0), n04 (fd1,ud1), target 1: the most crowded goes (n01), then the newest (13).
        ReconciledPartition r = reconcile(stateful(1, 1, lost(1, "n00", Primary),
                replica(11, "n01", ActiveSecondary), replica(12, "n02", ActiveSecondary), replica(13, "n04", ActiveSecondary)));
        assertThat(r.removals()).extracting(ReplicaRemoval::replicaId).containsExactly(1L, 11L, 13L);
        assertThat(r.kept()).extracting(ExistingReplica::replicaId).containsExactly(12L);
        assertThat(r.roleChanges()).containsExactly(new RoleChange(12, Primary));
    }

    @Test
    void scaleDownDuringAFailoverTrimsByDomainsThenPromotesByPrimaryCounts() {
        PlacementPlan plan = plan(problem(down(nodes, "n00"),
                stateful(1, 2, lost(1, "n00", Primary),
                        replica(11, "n01", ActiveSecondary), replica(12, "n02", ActiveSecondary), replica(13, "n04", ActiveSecondary)),
                stateful(2, 3, replica(2, "n02", Primary), replica(21, "n03", ActiveSecondary), replica(22, "n05", ActiveSecondary))));
        assertThat(plan.removals()).extracting(ReplicaRemoval::replicaId).containsExactly(1L, 11L);
        assertThat(plan.roleChanges()).containsExactly(new RoleChange(13, Primary));
        assertThat(plan.placements()).isEmpty();
    }

    @Test
    void healthyPrimariesAreNotMovedToBalance() {
        PlacementPlan plan = plan(problem(nodes,
                stateful(1, 3, replica(1, "n00", Primary), replica(11, "n01", ActiveSecondary), replica(12, "n02", ActiveSecondary)),
                stateful(2, 3, replica(2, "n00", Primary), replica(21, "n01", ActiveSecondary), replica(22, "n03", ActiveSecondary)),
                stateful(3, 3, replica(3, "n00", Primary), replica(31, "n04", ActiveSecondary), replica(32, "n05", ActiveSecondary))));
        assertThat(plan.hasChanges()).isFalse();
    }

    @Test
    void repeatedNodeFailuresNeverLeaveOneNodeWithEveryPrimary() {
        // The failover benchmark's cluster: 4 nodes, 4 partitions × 3 replicas. A node fails, its replicas are replaced
        // on the node that came back last; then it comes back itself, empty. With lowest-id promotion the oldest
        // replicas, which sit together, collect the Primaries.
        List<NodeCandidate> four = grid(4, 4, 1, Map.of());
        PlacementProblem current = problem(four, stateful(1, 3), stateful(2, 3), stateful(3, 3), stateful(4, 3));
        current = Fixtures.apply(current, plan(current));
        String[] failures = {"n00", "n01", "n02", "n03", "n01", "n02", "n00", "n03", "n02", "n00", "n01", "n03"};
        for (String failed : failures) {
            PlacementProblem down = nodeFails(current, failed);
            PlacementProblem after = Fixtures.apply(down, plan(down));
            assertThat(primariesPerNode(after)).as("Primaries per node after %s failed", failed)
                    .doesNotContainKey(failed).allSatisfy((node, count) -> assertThat(count).isLessThanOrEqualTo(2));
            current = new PlacementProblem(up(after.nodes(), failed), after.partitions());
            assertThat(plan(current).hasChanges()).as("the returning node changes nothing by itself").isFalse();
        }
    }

    // ---------------------------------------------------------------- crash loop

    @Test
    void aReplacementAvoidsTheEligibleNodeWhereTheReplicaWasLostUntilTheNextPlan() {
        List<NodeCandidate> two = grid(2, 2, 1, Map.of());
        PlacementProblem start = problem(two, stateful(1, 2, replica(1, "n00", Primary), lost(2, "n01", ActiveSecondary)));
        PlacementPlan first = plan(start);
        assertThat(first.removals()).extracting(ReplicaRemoval::replicaId).containsExactly(2L);
        assertThat(first.placements()).isEmpty();
        assertThat(first.failures()).singleElement().extracting(PlacementFailure::reason).isEqualTo(
                "placed 1 of 2: 1 node already hosting a replica of this partition (n00), "
                        + "1 node where a replica of this partition was just lost (n01)");
        PlacementPlan next = plan(apply(start, first));
        assertThat(nodesOf(next, partition(1))).containsExactly("n01");
        assertThat(next.failures()).isEmpty();
    }

    @Test
    void aReplacementGoesToAnotherNodeEvenWhenTheLostNodeWouldSpreadBetter() {
        // n00 and n02 share fd0: spreading alone would put the replacement back on n01 (fd1).
        PlacementPlan plan = plan(problem(grid(3, 2, 1, Map.of()), stateless(1, 2, replica(1, "n00", None), lost(2, "n01", None))));
        assertThat(nodesOf(plan, partition(1))).containsExactly("n02");
    }

    @Test
    void anEveryNodeServiceLeavesTheNodeOfALostInstanceForTheNextPlan() {
        PlacementPlan plan = plan(problem(grid(3, 3, 1, Map.of()),
                stateless(1, PartitionDemand.EVERY_NODE, replica(1, "n00", None), lost(2, "n01", None))));
        assertThat(nodesOf(plan, partition(1))).containsExactly("n02");
        assertThat(plan.failures()).singleElement().extracting(PlacementFailure::placed).isEqualTo(2);
    }
}
