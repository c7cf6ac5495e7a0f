package io.capstan.placement;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The SharedProcess activation groups of a round and the load each costs on a node. A group's load is
 * the per-metric maximum over its partitions' declared loads, so it does not depend on which of its
 * services happened to land on a node first (they normally declare the same package resources anyway).
 */
final class ActivationGroups {

    /** Group id of an ExclusiveProcess partition. */
    static final int EXCLUSIVE = -1;

    private final Map<String, Integer> ids = new HashMap<>();
    private final double[][] load;

    ActivationGroups(List<PartitionDemand> partitions, ClusterIndex cluster) {
        Map<Integer, double[]> loads = new HashMap<>();
        for (PartitionDemand d : partitions) {
            if (d.activationGroup() == null) {
                continue;
            }
            int id = ids.computeIfAbsent(d.activationGroup(), k -> ids.size());
            double[] max = loads.computeIfAbsent(id, k -> new double[cluster.metricCount()]);
            double[] v = cluster.loadVector(d.load());
            for (int m = 0; m < v.length; m++) {
                max[m] = Math.max(max[m], v[m]);
            }
        }
        load = new double[ids.size()][];
        loads.forEach((id, v) -> load[id] = v);
    }

    /** The group id of a partition, or {@link #EXCLUSIVE}. */
    int idOf(PartitionDemand d) {
        return d.activationGroup() == null ? EXCLUSIVE : ids.get(d.activationGroup());
    }

    int count() {
        return load.length;
    }

    double[] load(int group) {
        return load[group];
    }
}
