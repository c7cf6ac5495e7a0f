package io.capstan.placement;

import io.capstan.model.cluster.ReplicaRole;
import java.util.Objects;

/**
 * A replica the cluster already has for a partition; {@code healthy=false} means it is lost (its node
 * is down, it failed repeatedly, ...) and must be replaced.
 */
public record ExistingReplica(long replicaId, String node, ReplicaRole role, boolean healthy) {

    public ExistingReplica {
        Objects.requireNonNull(node, "node");
        role = role == null ? ReplicaRole.None : role;
    }
}
