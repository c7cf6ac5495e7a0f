package io.capstan.model.cluster;

import io.capstan.model.ServiceName;
import io.capstan.model.ServiceSpec;
import java.time.Instant;
import java.util.List;

/**
 * A service in the replicated state. {@code servicePackage} is the package that hosts its type;
 * {@code placementProblem} is the last reason placement could not satisfy it (null when it could).
 */
public record ServiceRecord(
        ServiceName name,
        ServiceSpec spec,
        String servicePackage,
        List<PartitionRecord> partitions,
        Instant createdAt,
        String placementProblem) {

    public ServiceRecord {
        partitions = List.copyOf(partitions);
    }

    public ServiceRecord withPlacementProblem(String problem) {
        return new ServiceRecord(name, spec, servicePackage, partitions, createdAt, problem);
    }
}
