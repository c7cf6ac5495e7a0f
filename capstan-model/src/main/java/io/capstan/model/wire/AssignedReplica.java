package io.capstan.model.wire;

import io.capstan.model.PartitionKey;
import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ReplicaRole;
import java.util.UUID;

/** A replica as its hosting activation sees it: which service, type, partition and role. */
public record AssignedReplica(
        long replicaId, ServiceName service, String serviceType, UUID partitionId, PartitionKey partition,
        ReplicaRole role) {
}
