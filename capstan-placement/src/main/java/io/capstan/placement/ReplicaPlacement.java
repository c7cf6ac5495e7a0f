package io.capstan.placement;

import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ReplicaRole;
import java.util.UUID;

/** Create a new replica of a partition on a node, in a role (None for stateless instances). */
public record ReplicaPlacement(ServiceName service, UUID partitionId, String node, ReplicaRole role) {
}
