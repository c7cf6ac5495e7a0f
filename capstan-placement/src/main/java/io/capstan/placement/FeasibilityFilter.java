package io.capstan.placement;

import java.util.HashMap;
import java.util.Map;

/**
 * The hard rules. Static ones (node eligible, placement constraint true) are evaluated once per
 * distinct constraint expression per round into a cached {@link FeasibleSet}; the dynamic ones (capacity,
 * one replica of a partition per node) are checked per candidate by {@link NodeSelector} against
 * {@link NodeLoads} and {@link PartitionSpread}.
 */
final class FeasibilityFilter {

    private final ClusterIndex cluster;
    private final Map<String, FeasibleSet> byConstraint = new HashMap<>();

    FeasibilityFilter(ClusterIndex cluster) {
        this.cluster = cluster;
    }

    /** The feasible set for a constraint text, compiled and evaluated on first use only. */
    FeasibleSet forConstraint(String constraintText) {
        FeasibleSet set = byConstraint.get(constraintText);
        if (set == null) {
            try {
                set = FeasibleSet.of(cluster, PlacementConstraint.parse(constraintText));
            } catch (IllegalArgumentException e) {
                set = FeasibleSet.invalid(cluster, constraintText, e.getMessage());
            }
            byConstraint.put(constraintText, set);
        }
        return set;
    }
}
