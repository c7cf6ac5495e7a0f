package io.capstan.model.wire;

import io.capstan.model.LoadBalancing;
import io.capstan.model.PartitionKey;
import io.capstan.model.ServiceKind;
import io.capstan.model.cluster.ReplicaRole;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Where a service can be reached (the naming service's answer): its partitions, and in each the Ready replicas
 * with their endpoints by name. {@code version} is the state index the answer was computed at; a caller passes it
 * back as {@code ?index=} to block until the answer changes. {@code loadBalancing} is what the application manifest
 * asks for the service (null when it says nothing: the gateway's default).
 */
public record ServiceResolution(String service, ServiceKind kind, long version, List<Partition> partitions,
        LoadBalancing loadBalancing) {

    public ServiceResolution {
        partitions = List.copyOf(partitions);
    }

    public ServiceResolution(String service, ServiceKind kind, long version, List<Partition> partitions) {
        this(service, kind, version, partitions, null);
    }

    /** The same answer at another version: what a watcher compares to tell a real change from a new index. */
    public ServiceResolution atVersion(long newVersion) {
        return new ServiceResolution(service, kind, newVersion, partitions, loadBalancing);
    }

    /** One partition and its reachable replicas (the Primary first for stateful services). */
    public record Partition(UUID id, PartitionKey key, List<Replica> replicas) {
        public Partition {
            replicas = List.copyOf(replicas);
        }
    }

    /** A Ready replica (or instance) and its endpoints: endpoint name to {@code host:port}. */
    public record Replica(long replicaId, String node, ReplicaRole role, Map<String, String> endpoints) {
        public Replica {
            endpoints = Map.copyOf(endpoints);
        }
    }
}
