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
        int[] avoidNodes) {

    /** Whether a Primary remains among the kept or draining replicas. */
    boolean hasPrimary() {
        return primaryNode >= 0;
    }

    /** How many replicas placement must add. */
    int missing() {
        return Math.max(0, target - kept.size());
    }
}
