package io.capstan.state;

import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import java.util.ArrayList;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.UUID;
import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

/**
 * One immutable version of the whole cluster state, as of log index {@code index}: what readers, controllers
 * and the placement pipeline work from. Versions share structure (persistent sorted maps), so publishing the
 * next one after a commit costs in proportion to what the commit changed, not to the cluster's size. Besides
 * its tables it keeps secondary indexes (replicas by node and by partition, and so by service through its
 * partitions; partitions by id; services by application; what each node's activations use) and a modify index per {@link Watch}.
 */
public final class ClusterSnapshot {

    /** The empty state before the first command. */
    public static final ClusterSnapshot EMPTY = new ClusterSnapshot(0, 1, 1, TreePMap.empty(), TreePMap.empty(),
            TreePMap.empty(), TreePMap.empty(), TreePMap.empty(), TreePMap.empty(), TreePMap.empty(), TreePMap.empty(),
            TreePMap.empty(), TreePMap.empty(), TreePMap.empty(), TreePMap.empty(), TreePMap.empty(),
            TreePMap.empty(), 0, TreePMap.empty(), TreePMap.empty(), null, TreePMap.empty());

    final long index;
    final long nextReplicaId;
    final long nextEventSeq;
    final TreePMap<String, NodeRecord> nodes;
    final TreePMap<String, TreePMap<String, ApplicationTypeRecord>> applicationTypes;
    final TreePMap<String, ApplicationRecord> applications;
    final TreePMap<ServiceName, ServiceRecord> services;
    final TreePMap<String, TreePSet<ServiceName>> servicesByApplication;
    final TreePMap<UUID, PartitionRef> partitions;
    final TreePMap<Long, ReplicaRecord> replicas;
    final TreePMap<String, TreePSet<Long>> replicasByNode;
    final TreePMap<UUID, TreePSet<Long>> replicasByPartition;
    final TreePMap<String, TreePMap<ActivationKey, DeployedServicePackage>> deployed;
    final TreePMap<HealthEntity, TreePMap<String, HealthReport>> healthReports;
    final TreePMap<Long, ClusterEvent> events;
    final TreePMap<String, Long> modifyIndexes;
    final TreePMap<String, NodeUsage> usage;
    final long readyReplicas;
    final TreePMap<String, String> serverApis;
    final TreePMap<String, AclToken> aclTokens;
    final Instant aclBootstrappedAt;
    final TreePMap<Long, AuditRecord> audit;

    ClusterSnapshot(long index, long nextReplicaId, long nextEventSeq,
            TreePMap<String, NodeRecord> nodes,
            TreePMap<String, TreePMap<String, ApplicationTypeRecord>> applicationTypes,
            TreePMap<String, ApplicationRecord> applications,
            TreePMap<ServiceName, ServiceRecord> services,
            TreePMap<String, TreePSet<ServiceName>> servicesByApplication,
            TreePMap<UUID, PartitionRef> partitions,
            TreePMap<Long, ReplicaRecord> replicas,
            TreePMap<String, TreePSet<Long>> replicasByNode,
            TreePMap<UUID, TreePSet<Long>> replicasByPartition,
            TreePMap<String, TreePMap<ActivationKey, DeployedServicePackage>> deployed,
            TreePMap<HealthEntity, TreePMap<String, HealthReport>> healthReports,
            TreePMap<Long, ClusterEvent> events,
            TreePMap<String, Long> modifyIndexes,
            TreePMap<String, NodeUsage> usage,
            long readyReplicas,
            TreePMap<String, String> serverApis,
            TreePMap<String, AclToken> aclTokens,
            Instant aclBootstrappedAt,
            TreePMap<Long, AuditRecord> audit) {
        this.index = index;
        this.nextReplicaId = nextReplicaId;
        this.nextEventSeq = nextEventSeq;
        this.nodes = nodes;
        this.applicationTypes = applicationTypes;
        this.applications = applications;
        this.services = services;
        this.servicesByApplication = servicesByApplication;
        this.partitions = partitions;
        this.replicas = replicas;
        this.replicasByNode = replicasByNode;
        this.replicasByPartition = replicasByPartition;
        this.deployed = deployed;
        this.healthReports = healthReports;
        this.events = events;
        this.modifyIndexes = modifyIndexes;
        this.usage = usage;
        this.readyReplicas = readyReplicas;
        this.serverApis = serverApis;
        this.aclTokens = aclTokens;
        this.aclBootstrappedAt = aclBootstrappedAt;
        this.audit = audit;
    }

    /** The ACL tokens by accessor id (each with the hash of its secret, never the secret). */
    public SortedMap<String, AclToken> aclTokens() {
        return aclTokens;
    }

    /** When the ACLs were bootstrapped, or null if they never were. */
    public Instant aclBootstrappedAt() {
        return aclBootstrappedAt;
    }

    /** The audit trail, by log index, oldest first (the newest {@link StateLimits#auditHistory()} kept). */
    public SortedMap<Long, AuditRecord> audit() {
        return audit;
    }

    /** Where each control-plane server's REST API listens, by server id, as each last announced it. */
    public SortedMap<String, String> serverApis() {
        return serverApis;
    }

    /** What the replicas on a node use, per metric, each activation counted once (from the index). */
    public NodeUsage usageOn(String node) {
        return usage.getOrDefault(node, NodeUsage.NONE);
    }

    /** How many replicas are Ready, counted as they change. */
    public long readyReplicaCount() {
        return readyReplicas;
    }

    /** The log index of the last command applied to this version. */
    public long index() {
        return index;
    }

    /** The log index of the last command that changed what {@code watch} names (0 if none did). */
    public long modifyIndex(Watch watch) {
        return modifyIndexes.getOrDefault(watch.key(), 0L);
    }

    public SortedMap<String, NodeRecord> nodes() {
        return nodes;
    }

    public SortedMap<String, ? extends SortedMap<String, ApplicationTypeRecord>> applicationTypes() {
        return applicationTypes;
    }

    public SortedMap<String, ApplicationRecord> applications() {
        return applications;
    }

    public SortedMap<ServiceName, ServiceRecord> services() {
        return services;
    }

    public SortedMap<Long, ReplicaRecord> replicas() {
        return replicas;
    }

    public SortedMap<String, ? extends SortedMap<ActivationKey, DeployedServicePackage>> deployed() {
        return deployed;
    }

    public SortedMap<HealthEntity, ? extends SortedMap<String, HealthReport>> healthReports() {
        return healthReports;
    }

    /** The kept events, oldest first. */
    public Collection<ClusterEvent> events() {
        return events.values();
    }

    /** The reports clients sent about {@code entity} (system reports are derived from the state, not stored). */
    public Collection<HealthReport> healthReportsOn(HealthEntity entity) {
        TreePMap<String, HealthReport> m = healthReports.get(entity);
        return m == null ? List.of() : m.values();
    }

    public Optional<ApplicationTypeRecord> applicationType(String name, String version) {
        TreePMap<String, ApplicationTypeRecord> versions = applicationTypes.get(name);
        return Optional.ofNullable(versions == null ? null : versions.get(version));
    }

    public List<ApplicationTypeRecord> applicationTypeList() {
        return applicationTypes.values().stream().flatMap(m -> m.values().stream()).toList();
    }

    /** The services of one application, by name; from the index, so it costs what the application has. */
    public List<ServiceRecord> servicesOf(String application) {
        TreePSet<ServiceName> names = servicesByApplication.get(application);
        return names == null ? List.of() : names.stream().map(services::get).toList();
    }

    /** A partition by id, with its service. */
    public Optional<PartitionRef> partition(UUID partitionId) {
        return Optional.ofNullable(partitions.get(partitionId));
    }

    /** A service's replicas, found through its partitions: costs what the service has. */
    public List<ReplicaRecord> replicasOf(ServiceName service) {
        ServiceRecord s = services.get(service);
        List<ReplicaRecord> out = new ArrayList<>();
        if (s != null) {
            s.partitions().forEach(p -> out.addAll(resolve(replicasByPartition.get(p.id()))));
        }
        return out;
    }

    public List<ReplicaRecord> replicasOn(String node) {
        return resolve(replicasByNode.get(node));
    }

    public List<ReplicaRecord> replicasOfPartition(UUID partitionId) {
        return resolve(replicasByPartition.get(partitionId));
    }

    private List<ReplicaRecord> resolve(TreePSet<Long> ids) {
        if (ids == null) {
            return List.of();
        }
        List<ReplicaRecord> out = new ArrayList<>(ids.size());
        ids.forEach(id -> out.add(replicas.get(id)));
        return out;
    }

    public Collection<DeployedServicePackage> deployedOn(String node) {
        TreePMap<ActivationKey, DeployedServicePackage> m = deployed.get(node);
        return m == null ? List.of() : m.values();
    }

    public Optional<DeployedServicePackage> deployed(String node, ActivationKey key) {
        TreePMap<ActivationKey, DeployedServicePackage> m = deployed.get(node);
        return Optional.ofNullable(m == null ? null : m.get(key));
    }

    /** Events with an index greater than {@code afterIndex}, oldest first; costs what it returns. */
    public List<ClusterEvent> eventsAfter(long afterIndex) {
        List<ClusterEvent> newest = new ArrayList<>();
        for (ClusterEvent e : events.descendingMap().values()) {
            if (e.index() <= afterIndex) {
                break;
            }
            newest.add(e);
        }
        return newest.reversed();
    }
}
