package io.capstan.model.cluster;

import io.capstan.model.ServiceName;
import java.util.UUID;

/**
 * One replica (or stateless instance) of a partition, placed on a node, hosted by the activation
 * {@code activationId} of the service's package there (empty for SharedProcess).
 */
public record ReplicaRecord(
        long id,
        ServiceName service,
        UUID partitionId,
        String node,
        ReplicaRole role,
        ReplicaStatus status,
        String activationId) {

    public ReplicaRecord withStatus(ReplicaStatus newStatus) {
        return new ReplicaRecord(id, service, partitionId, node, role, newStatus, activationId);
    }

    public ReplicaRecord withRole(ReplicaRole newRole) {
        return new ReplicaRecord(id, service, partitionId, node, newRole, status, activationId);
    }
}
