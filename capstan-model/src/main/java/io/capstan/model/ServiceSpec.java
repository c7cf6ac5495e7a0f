package io.capstan.model;

/**
 * What an operator asks for when creating a service: its type, partitioning, size, activation mode
 * and placement constraint. {@code instanceCount} is for stateless services (-1 means one on every
 * eligible node); the replica set sizes are for stateful ones.
 */
public record ServiceSpec(
        String serviceType,
        ServiceKind kind,
        ActivationMode activation,
        PartitionScheme partitions,
        int instanceCount,
        int targetReplicaSetSize,
        int minReplicaSetSize,
        String placementConstraints,
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        LoadBalancing loadBalancing) {

    public ServiceSpec {
        activation = activation == null ? ActivationMode.SHARED_PROCESS : activation;
        partitions = partitions == null ? new PartitionScheme.Singleton() : partitions;
        placementConstraints = placementConstraints == null ? "" : placementConstraints;
    }

    /** A spec whose load balancing is the manifest's (or the gateway's default). */
    public ServiceSpec(String serviceType, ServiceKind kind, ActivationMode activation, PartitionScheme partitions,
                       int instanceCount, int targetReplicaSetSize, int minReplicaSetSize, String placementConstraints) {
        this(serviceType, kind, activation, partitions, instanceCount, targetReplicaSetSize, minReplicaSetSize,
                placementConstraints, null);
    }

    public static ServiceSpec stateless(String type, int instances, PartitionScheme partitions, ActivationMode activation) {
        return new ServiceSpec(type, ServiceKind.STATELESS, activation, partitions, instances, 0, 0, "");
    }

    public static ServiceSpec stateful(String type, int target, int min, PartitionScheme partitions, ActivationMode activation) {
        return new ServiceSpec(type, ServiceKind.STATEFUL, activation, partitions, 0, target, min, "");
    }

    public ServiceSpec withPlacementConstraints(String expression) {
        return new ServiceSpec(serviceType, kind, activation, partitions, instanceCount, targetReplicaSetSize,
                minReplicaSetSize, expression, loadBalancing);
    }

    /** Replicas wanted per partition, given how many nodes are eligible (for instanceCount -1). */
    public int replicasPerPartition(int eligibleNodes) {
        if (kind == ServiceKind.STATEFUL) {
            return targetReplicaSetSize;
        }
        return instanceCount == -1 ? eligibleNodes : instanceCount;
    }
}
