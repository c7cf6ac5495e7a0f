package io.capstan.placement;

import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * What one partition wants: how many replicas ({@code -1} = one on every eligible node that satisfies
 * the constraint), where they may go ({@code placementConstraint}, "" = anywhere), how much load each
 * costs, and which replicas it already has.
 *
 * <p>{@code activationGroup} non-null means SharedProcess: the key of the shared activation
 * ("App1/MyServicePackage"); its {@code load} is paid once per node however many replicas of the
 * group the node hosts. {@code null} means ExclusiveProcess: {@code load} is paid per replica.
 *
 * <p>{@code minReplicas} (stateful: minReplicaSetSize) is the fewest Ready replicas a drain may leave the
 * partition with: below it a replica on a node being disabled stays until a replacement is Ready.
 */
public record PartitionDemand(
        ServiceName service,
        UUID partitionId,
        ServiceKind kind,
        int targetReplicas,
        String placementConstraint,
        String activationGroup,
        Map<String, Double> load,
        List<ExistingReplica> existing,
        int minReplicas) {

    /** The {@code targetReplicas} value meaning "one replica on every eligible node". */
    public static final int EVERY_NODE = -1;

    /** A demand with no minimum: a drain may take its last replicas away without replacement. */
    public PartitionDemand(ServiceName service, UUID partitionId, ServiceKind kind, int targetReplicas,
                           String placementConstraint, String activationGroup, Map<String, Double> load,
                           List<ExistingReplica> existing) {
        this(service, partitionId, kind, targetReplicas, placementConstraint, activationGroup, load, existing, 0);
    }

    public PartitionDemand {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(partitionId, "partitionId");
        Objects.requireNonNull(kind, "kind");
        if (targetReplicas < EVERY_NODE) {
            throw new IllegalArgumentException("targetReplicas must be >= 0 or -1 (every node), was " + targetReplicas);
        }
        placementConstraint = placementConstraint == null ? "" : placementConstraint;
        load = load == null ? Map.of() : Map.copyOf(load);
        for (Map.Entry<String, Double> e : load.entrySet()) {
            if (!(e.getValue() >= 0) || e.getValue().isInfinite()) {
                throw new IllegalArgumentException("load of metric '" + e.getKey() + "' must be a finite number >= 0, was " + e.getValue());
            }
        }
        existing = existing == null ? List.of() : List.copyOf(existing);
        if (minReplicas < 0) {
            throw new IllegalArgumentException("minReplicas must be >= 0, was " + minReplicas);
        }
    }
}
