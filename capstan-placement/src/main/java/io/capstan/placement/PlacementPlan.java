package io.capstan.placement;

import java.util.List;

/**
 * The outcome of one planning round: replicas to create, replicas to drop, roles to change, and the
 * partitions that could not get all the replicas they want (with why).
 */
public record PlacementPlan(
        List<ReplicaPlacement> placements,
        List<ReplicaRemoval> removals,
        List<RoleChange> roleChanges,
        List<PlacementFailure> failures) {

    public PlacementPlan {
        placements = List.copyOf(placements);
        removals = List.copyOf(removals);
        roleChanges = List.copyOf(roleChanges);
        failures = List.copyOf(failures);
    }

    /** True when applying this plan would change the cluster (failures alone change nothing). */
    public boolean hasChanges() {
        return !placements.isEmpty() || !removals.isEmpty() || !roleChanges.isEmpty();
    }
}
