package io.capstan.state;

import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.PartitionRecord;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import io.capstan.state.Watch.StateTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

/**
 * The next version of the state being built by one command. It starts from a {@link ClusterSnapshot}, keeps
 * every table and secondary index consistent as records are put and removed, notes which {@link Watch}es it
 * touched, and becomes the next snapshot only in {@link #build}: a command that fails half way leaves nothing
 * behind. Not thread-safe; one command at a time.
 */
final class StateChange {

    private static final Map<StateTable, String> TABLE_KEYS = Arrays.stream(StateTable.values())
            .collect(Collectors.toUnmodifiableMap(t -> t, t -> new Watch.Table(t).key()));

    private final long index;
    /** Loads by service within this change; forgotten when an application or type changes. */
    private final Map<ServiceName, Map<String, Double>> loads = new HashMap<>();
    private final int eventHistory;
    private long nextReplicaId;
    private long nextEventSeq;
    private TreePMap<String, NodeRecord> nodes;
    private TreePMap<String, TreePMap<String, ApplicationTypeRecord>> types;
    private TreePMap<String, ApplicationRecord> applications;
    private TreePMap<ServiceName, ServiceRecord> services;
    private TreePMap<String, TreePSet<ServiceName>> servicesByApplication;
    private TreePMap<UUID, PartitionRef> partitions;
    private TreePMap<Long, ReplicaRecord> replicas;
    private TreePMap<String, TreePSet<Long>> replicasByNode;
    private TreePMap<UUID, TreePSet<Long>> replicasByPartition;
    private TreePMap<String, TreePMap<ActivationKey, DeployedServicePackage>> deployed;
    private TreePMap<HealthEntity, TreePMap<String, HealthReport>> health;
    private TreePMap<Long, ClusterEvent> events;
    private TreePMap<String, Long> modifyIndexes;
    private TreePMap<String, NodeUsage> usage;
    private long readyReplicas;
    private TreePMap<String, String> serverApis;
    private TreePMap<String, AclToken> aclTokens;
    private Instant aclBootstrappedAt;
    private TreePMap<Long, AuditRecord> audit;
    private final int auditHistory;
    private final Set<String> touched = new LinkedHashSet<>();
    private int refused;
    private String note;
    private boolean byPlanApplier;

    StateChange(ClusterSnapshot from, long index, StateLimits limits) {
        this.index = index;
        this.eventHistory = limits.eventHistory();
        this.auditHistory = limits.auditHistory();
        this.aclTokens = from.aclTokens;
        this.aclBootstrappedAt = from.aclBootstrappedAt;
        this.audit = from.audit;
        this.nextReplicaId = from.nextReplicaId;
        this.nextEventSeq = from.nextEventSeq;
        this.nodes = from.nodes;
        this.types = from.applicationTypes;
        this.applications = from.applications;
        this.services = from.services;
        this.servicesByApplication = from.servicesByApplication;
        this.partitions = from.partitions;
        this.replicas = from.replicas;
        this.replicasByNode = from.replicasByNode;
        this.replicasByPartition = from.replicasByPartition;
        this.deployed = from.deployed;
        this.health = from.healthReports;
        this.events = from.events;
        this.modifyIndexes = from.modifyIndexes;
        this.usage = from.usage;
        this.readyReplicas = from.readyReplicas;
        this.serverApis = from.serverApis;
    }

    long index() {
        return index;
    }

    /** The next version; the modify index of every touched watch is this command's index. */
    ClusterSnapshot build() {
        for (String key : touched) {
            modifyIndexes = modifyIndexes.plus(key, index);
        }
        return new ClusterSnapshot(index, nextReplicaId, nextEventSeq, nodes, types, applications, services,
                servicesByApplication, partitions, replicas, replicasByNode, replicasByPartition,
                deployed, health, events, modifyIndexes, usage, readyReplicas, serverApis, aclTokens,
                aclBootstrappedAt, audit);
    }

    /** Marks this change as the plan applier's, whose changes are not new placement inputs. */
    void markByPlanApplier() {
        byPlanApplier = true;
    }

    /** Records that a command applied only in part (a plan whose placements no longer all fit). */
    void noteRefused(int count, String why) {
        refused = count;
        note = why;
    }

    int refused() {
        return refused;
    }

    String note() {
        return note;
    }

    /** The watches this change touched so far, for waking blocked readers. */
    Set<String> touched() {
        return touched;
    }

    private void touch(Watch watch) {
        touched.add(watch.key());
        if (watch instanceof Watch.Service s && !byPlanApplier) {
            touched.add(new Watch.ServiceInputs(s.name()).key());
        }
    }

    /** Wakes the agent of {@code node}: what it must run changed without a change to its replicas. */
    void touchAssignment(String node) {
        touch(new Watch.Assignment(node));
    }

    private void touch(StateTable table) {
        touched.add(TABLE_KEYS.get(table));
    }

    // ---- nodes

    NodeRecord node(String name) {
        return nodes.get(name);
    }

    Iterable<NodeRecord> nodes() {
        return nodes.values();
    }

    String serverApi(String server) {
        return serverApis.get(server);
    }

    void putServerApi(String server, String apiUrl) {
        serverApis = serverApis.plus(server, apiUrl);
        touch(StateTable.SERVERS);
    }

    // ---- access control and the audit trail

    AclToken aclToken(String id) {
        return aclTokens.get(id);
    }

    int aclTokenCount() {
        return aclTokens.size();
    }

    Instant aclBootstrappedAt() {
        return aclBootstrappedAt;
    }

    void bootstrapAcl(Instant at) {
        aclBootstrappedAt = at;
    }

    void putAclToken(AclToken token) {
        aclTokens = aclTokens.plus(token.id(), token);
        touch(StateTable.ACL);
    }

    void removeAclToken(String id) {
        aclTokens = aclTokens.minus(id);
        touch(StateTable.ACL);
    }

    /** Keeps {@code record} in the audit trail under this change's index, the oldest dropped past the history. */
    void audit(AuditRecord record) {
        audit = audit.plus(index, record.at(index));
        while (audit.size() > auditHistory) {
            audit = audit.minusFirstEntry();
        }
        touch(StateTable.AUDIT);
    }

    void putNode(NodeRecord node) {
        nodes = nodes.plus(node.name(), node);
        touch(new Watch.Node(node.name()));
        touch(StateTable.NODES);
    }

    void removeNode(String name) {
        nodes = nodes.minus(name);
        touch(new Watch.Node(name));
        touch(new Watch.Assignment(name));
        touch(StateTable.NODES);
    }

    // ---- application types and applications

    ApplicationTypeRecord type(String name, String version) {
        TreePMap<String, ApplicationTypeRecord> versions = types.get(name);
        return versions == null ? null : versions.get(version);
    }

    TreePMap<String, TreePMap<String, ApplicationTypeRecord>> types() {
        return types;
    }

    void putType(ApplicationTypeRecord t) {
        types = types.plus(t.name(), types.getOrDefault(t.name(), TreePMap.empty()).plus(t.version(), t));
        loads.clear();
        touch(StateTable.APPLICATION_TYPES);
    }

    void removeType(String name, String version) {
        TreePMap<String, ApplicationTypeRecord> versions = types.get(name).minus(version);
        types = versions.isEmpty() ? types.minus(name) : types.plus(name, versions);
        loads.clear();
        touch(StateTable.APPLICATION_TYPES);
    }

    ApplicationRecord application(String name) {
        return applications.get(name);
    }

    Iterable<ApplicationRecord> applications() {
        return applications.values();
    }

    void putApplication(ApplicationRecord a) {
        applications = applications.plus(a.name(), a);
        loads.clear();
        touch(new Watch.Application(a.name()));
        touch(StateTable.APPLICATIONS);
    }

    void removeApplication(String name) {
        applications = applications.minus(name);
        loads.clear();
        touch(new Watch.Application(name));
        touch(StateTable.APPLICATIONS);
    }

    // ---- services and partitions

    ServiceRecord service(ServiceName name) {
        return services.get(name);
    }

    List<ServiceName> servicesOf(String application) {
        TreePSet<ServiceName> names = servicesByApplication.get(application);
        return names == null ? List.of() : List.copyOf(names);
    }

    PartitionRef partition(UUID id) {
        return partitions.get(id);
    }

    /** Stores a service; a new one also indexes its partitions. Partitions never change after creation. */
    void putService(ServiceRecord s) {
        ServiceRecord old = services.get(s.name());
        services = services.plus(s.name(), s);
        if (old == null) {
            String app = s.name().application();
            servicesByApplication = servicesByApplication.plus(app,
                    servicesByApplication.getOrDefault(app, TreePSet.empty()).plus(s.name()));
            for (PartitionRecord p : s.partitions()) {
                partitions = partitions.plus(p.id(), new PartitionRef(s.name(), p));
            }
        }
        touch(new Watch.Service(s.name()));
        touch(new Watch.Application(s.name().application()));
        touch(StateTable.SERVICES);
    }

    /** Removes a service with its replicas, partitions and health reports; returns the replicas it had. */
    List<ReplicaRecord> removeService(ServiceName name) {
        ServiceRecord s = services.get(name);
        List<ReplicaRecord> all = replicasOfService(name);
        for (ReplicaRecord r : all) {
            removeReplica(r.id());
        }
        services = services.minus(name);
        String app = name.application();
        TreePSet<ServiceName> rest = servicesByApplication.getOrDefault(app, TreePSet.empty()).minus(name);
        servicesByApplication = rest.isEmpty() ? servicesByApplication.minus(app) : servicesByApplication.plus(app, rest);
        for (PartitionRecord p : s.partitions()) {
            partitions = partitions.minus(p.id());
        }
        dropHealth(e -> switch (e) {
            case HealthEntity.Service x -> x.name().equals(name);
            case HealthEntity.Partition x -> x.service().equals(name);
            case HealthEntity.Replica x -> x.service().equals(name);
            default -> false;
        });
        touch(new Watch.Service(name));
        touch(new Watch.Application(app));
        touch(StateTable.SERVICES);
        return all;
    }

    // ---- replicas

    ReplicaRecord replica(long id) {
        return replicas.get(id);
    }

    long takeReplicaId() {
        return nextReplicaId++;
    }

    List<ReplicaRecord> replicasOn(String node) {
        return resolve(replicasByNode.get(node));
    }

    List<ReplicaRecord> replicasOfService(ServiceName service) {
        ServiceRecord s = services.get(service);
        List<ReplicaRecord> out = new ArrayList<>();
        if (s != null) {
            s.partitions().forEach(p -> out.addAll(resolve(replicasByPartition.get(p.id()))));
        }
        return out;
    }

    List<ReplicaRecord> replicasOfPartition(UUID partitionId) {
        return resolve(replicasByPartition.get(partitionId));
    }

    boolean hasReplicasOn(String node) {
        TreePSet<Long> ids = replicasByNode.get(node);
        return ids != null && !ids.isEmpty();
    }

    private List<ReplicaRecord> resolve(TreePSet<Long> ids) {
        if (ids == null) {
            return List.of();
        }
        List<ReplicaRecord> out = new ArrayList<>(ids.size());
        ids.forEach(id -> out.add(replicas.get(id)));
        return out;
    }

    /**
     * Stores a new or changed replica. Its node, service and partition never change; a change of role (or a new
     * replica) changes its node's assignment, a change of status only what watchers of its service see.
     */
    void putReplica(ReplicaRecord r) {
        ReplicaRecord old = replicas.get(r.id());
        replicas = replicas.plus(r.id(), r);
        if (old == null) {
            replicasByNode = addId(replicasByNode, r.node(), r.id());
            replicasByPartition = addId(replicasByPartition, r.partitionId(), r.id());
            ServiceRecord s = services.get(r.service());
            usage = usage.plus(r.node(), usage.getOrDefault(r.node(), NodeUsage.NONE)
                    .plus(ReplicaDerivation.activationOf(s, r), () -> loadOf(s)));
        }
        readyReplicas += (r.status() == ReplicaStatus.Ready ? 1 : 0)
                - (old != null && old.status() == ReplicaStatus.Ready ? 1 : 0);
        if (old == null || old.role() != r.role()) {
            touch(new Watch.Assignment(r.node()));
        }
        touch(new Watch.Service(r.service()));
        touch(StateTable.REPLICAS);
    }

    ReplicaRecord removeReplica(long id) {
        ReplicaRecord r = replicas.get(id);
        if (r == null) {
            return null;
        }
        replicas = replicas.minus(id);
        ServiceRecord s = services.get(r.service());
        NodeUsage left = usage.getOrDefault(r.node(), NodeUsage.NONE).minus(ReplicaDerivation.activationOf(s, r));
        usage = left.isEmpty() ? usage.minus(r.node()) : usage.plus(r.node(), left);
        readyReplicas -= r.status() == ReplicaStatus.Ready ? 1 : 0;
        replicasByNode = removeId(replicasByNode, r.node(), id);
        replicasByPartition = removeId(replicasByPartition, r.partitionId(), id);
        touch(new Watch.Assignment(r.node()));
        touch(new Watch.Service(r.service()));
        touch(StateTable.REPLICAS);
        return r;
    }

    /** What the replicas on a node use, per metric, each activation counted once. */
    NodeUsage usageOn(String node) {
        return usage.getOrDefault(node, NodeUsage.NONE);
    }

    /** What one activation of the service's package costs a node. */
    Map<String, Double> loadOf(ServiceRecord s) {
        return loads.computeIfAbsent(s.name(), name -> {
            ApplicationRecord app = applications.get(name.application());
            return ServiceLoads.of(app == null ? null : type(app.typeName(), app.typeVersion()), s.servicePackage());
        });
    }

    private static <K> TreePMap<K, TreePSet<Long>> addId(TreePMap<K, TreePSet<Long>> index, K key, long id) {
        return index.plus(key, index.getOrDefault(key, TreePSet.empty()).plus(id));
    }

    private static <K> TreePMap<K, TreePSet<Long>> removeId(TreePMap<K, TreePSet<Long>> index, K key, long id) {
        TreePSet<Long> rest = index.getOrDefault(key, TreePSet.empty()).minus(id);
        return rest.isEmpty() ? index.minus(key) : index.plus(key, rest);
    }

    // ---- deployed service packages

    TreePMap<ActivationKey, DeployedServicePackage> deployedOn(String node) {
        return deployed.getOrDefault(node, TreePMap.empty());
    }

    DeployedServicePackage deployed(String node, ActivationKey key) {
        TreePMap<ActivationKey, DeployedServicePackage> m = deployed.get(node);
        return m == null ? null : m.get(key);
    }

    /** Replaces what a node runs; watchers of the services hosted by changed activations are woken too. */
    void putDeployedOn(String node, TreePMap<ActivationKey, DeployedServicePackage> now) {
        TreePMap<ActivationKey, DeployedServicePackage> before = deployedOn(node);
        deployed = now.isEmpty() ? deployed.minus(node) : deployed.plus(node, now);
        Set<ActivationKey> changed = new LinkedHashSet<>();
        before.forEach((k, v) -> {
            if (!Objects.equals(now.get(k), v)) {
                changed.add(k);
            }
        });
        now.forEach((k, v) -> {
            if (!Objects.equals(before.get(k), v)) {
                changed.add(k);
            }
        });
        if (changed.isEmpty()) {
            return;
        }
        for (ReplicaRecord r : replicasOn(node)) {
            ServiceRecord s = services.get(r.service());
            if (s != null && changed.contains(new ActivationKey(r.service().application(), s.servicePackage(), r.activationId()))) {
                touch(new Watch.Service(r.service()));
            }
        }
        touch(new Watch.Node(node));
        touch(StateTable.DEPLOYED);
    }

    // ---- health reports

    HealthReport healthReport(HealthEntity entity, String key) {
        TreePMap<String, HealthReport> m = health.get(entity);
        return m == null ? null : m.get(key);
    }

    int healthReportCount(HealthEntity entity) {
        TreePMap<String, HealthReport> m = health.get(entity);
        return m == null ? 0 : m.size();
    }

    TreePMap<HealthEntity, TreePMap<String, HealthReport>> healthReports() {
        return health;
    }

    /** Stores a report; returns the one it replaced (null when new). */
    HealthReport putHealthReport(HealthReport r) {
        TreePMap<String, HealthReport> m = health.getOrDefault(r.entity(), TreePMap.empty());
        HealthReport old = m.get(r.key());
        health = health.plus(r.entity(), m.plus(r.key(), r));
        touchHealth(r.entity());
        return old;
    }

    void removeHealthReport(HealthEntity entity, String key) {
        TreePMap<String, HealthReport> m = health.getOrDefault(entity, TreePMap.empty()).minus(key);
        health = m.isEmpty() ? health.minus(entity) : health.plus(entity, m);
        touchHealth(entity);
    }

    /** Forgets every report on entities that are gone. */
    void dropHealth(Predicate<HealthEntity> gone) {
        for (HealthEntity e : List.copyOf(health.keySet())) {
            if (gone.test(e)) {
                health = health.minus(e);
                touchHealth(e);
            }
        }
    }

    private void touchHealth(HealthEntity e) {
        switch (e) {
            case HealthEntity.Cluster x -> {
            }
            case HealthEntity.Node x -> touch(new Watch.Node(x.name()));
            case HealthEntity.Application x -> touch(new Watch.Application(x.name()));
            case HealthEntity.Service x -> touch(new Watch.Service(x.name()));
            case HealthEntity.Partition x -> touch(new Watch.Service(x.service()));
            case HealthEntity.Replica x -> touch(new Watch.Service(x.service()));
            case HealthEntity.DeployedApplication x -> touch(new Watch.Node(x.node()));
            case HealthEntity.DeployedServicePackage x -> touch(new Watch.Node(x.node()));
        }
        touch(StateTable.HEALTH);
    }

    // ---- events

    void event(Instant at, String kind, String entity, String message) {
        events = events.plus(nextEventSeq++, new ClusterEvent(index, at, kind, entity, message));
        while (events.size() > eventHistory) {
            events = events.minusFirstEntry();
        }
        touch(StateTable.EVENTS);
    }
}
