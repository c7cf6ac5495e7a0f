package io.capstan.placement;

import java.util.List;

/** A snapshot of the cluster for one planning round: the nodes and every partition's demand. */
public record PlacementProblem(List<NodeCandidate> nodes, List<PartitionDemand> partitions) {

    public PlacementProblem {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        partitions = partitions == null ? List.of() : List.copyOf(partitions);
    }
}
