package io.capstan.placement;

import java.util.List;

/**
 * A partition after reconcile: the healthy replicas it keeps (with their node indices), what to remove
 * and which roles to change, its resolved target, and the node of the Primary that remains (-1: none).
 */
record ReconciledPartition(
        List<ExistingReplica> kept,
        int[] keptNodes,
        List<ReplicaRemoval> removals,
        List<RoleChange> roleChanges,
        int target,
        int primaryNode) {

    /** Whether a Primary remains among the kept replicas. */
    boolean hasPrimary() {
        return primaryNode >= 0;
    }

    /** How many replicas placement must add. */
    int missing() {
        return Math.max(0, target - kept.size());
    }
}
