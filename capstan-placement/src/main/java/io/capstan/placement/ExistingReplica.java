package io.capstan.placement;

import io.capstan.model.cluster.ReplicaRole;
import java.util.Objects;

/**
 * A replica the cluster already has for a partition.
 *
 * <p>{@code healthy=false} means it is lost (its node is down, its code crash-looped past its restart
 * policy, ...) and must be replaced. {@code ready} says it finished building and serves (Service Fabric's
 * Ready, as opposed to InBuild): a drain waits for Ready replacements, and failover prefers Ready replicas.
 * {@code progress} says how up to date its state is (higher = more, e.g. the last applied sequence number);
 * failover promotes the replica with the highest, as that loses the least data. Nothing reports it yet,
 * so callers pass 0 until the SDK does.
 */
public record ExistingReplica(long replicaId, String node, ReplicaRole role, boolean healthy, boolean ready, long progress) {

    public ExistingReplica {
        Objects.requireNonNull(node, "node");
        role = role == null ? ReplicaRole.None : role;
    }

    /** For callers that do not track readiness or progress: a healthy replica counts as Ready, progress 0. */
    public ExistingReplica(long replicaId, String node, ReplicaRole role, boolean healthy) {
        this(replicaId, node, role, healthy, healthy, 0);
    }
}
