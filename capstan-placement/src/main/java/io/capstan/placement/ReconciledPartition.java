package io.capstan.placement;

import java.util.List;

/**
 * A partition after reconcile.
 *
 * <p>{@code kept}: the healthy replicas on eligible nodes, which count toward the target (with their node
 * indices in {@code keptNodes}). {@code draining}: healthy replicas on draining nodes, which stay for now but
 * do not count; ordered by how much the partition needs them, the first {@code protectedDraining} of them
 * (its Primary, or the Primary this round demotes) are kept whatever the round places. {@code avoidNodes}:
 * nodes where a replica was just lost, which get no new replica this round. {@code roleChanges} covers kept
 * and draining replicas; {@code primaryNode} is the node of the Primary that remains (-1: none).
 *
 * <p>{@code primaryCandidates}: when a Primary must be promoted and several replicas tie in the failover order,
 * those replicas (lowest id first), and the partition is not finished yet: no role changes, {@code primaryNode}
 * -1, draining replicas unordered. The planner finishes it with {@link PartitionReconciler#promote}, since the
 * choice depends on where every other partition's Primary is. Empty otherwise.
 */
record ReconciledPartition(
        List<ExistingReplica> kept,
        int[] keptNodes,
        List<ExistingReplica> draining,
        int protectedDraining,
        List<ReplicaRemoval> removals,
        List<RoleChange> roleChanges,
        int target,
        int primaryNode,
        int[] avoidNodes,
        List<ExistingReplica> primaryCandidates) {

    /** Whether a Primary remains among the kept or draining replicas (false while one is still to be chosen). */
    boolean hasPrimary() {
        return primaryNode >= 0;
    }

    /** Whether the Primary is still to be chosen among {@code primaryCandidates}. */
    boolean primaryPending() {
        return !primaryCandidates.isEmpty();
    }

    /** How many replicas placement must add. */
    int missing() {
        return Math.max(0, target - kept.size());
    }
}
