package io.capstan.state;

import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.ProbeStatus;
import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import io.capstan.model.health.HealthState;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.state.ClusterCommand.ApplyPlacement;
import io.capstan.state.ClusterCommand.CreateApplication;
import io.capstan.state.ClusterCommand.CreateService;
import io.capstan.state.ClusterCommand.DeleteApplication;
import io.capstan.state.ClusterCommand.DeleteService;
import io.capstan.state.ClusterCommand.DisableNode;
import io.capstan.state.ClusterCommand.EnableNode;
import io.capstan.state.ClusterCommand.ExpireHealthReports;
import io.capstan.state.ClusterCommand.ReportHealth;
import io.capstan.state.ClusterCommand.RegisterApplicationType;
import io.capstan.state.ClusterCommand.RegisterNode;
import io.capstan.state.ClusterCommand.ReportNode;
import io.capstan.state.ClusterCommand.SetNodeStatus;
import io.capstan.state.ClusterCommand.UnregisterApplicationType;
import io.capstan.state.ClusterCommand.UpdateService;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The cluster's desired and observed state, changed only by {@link #apply}. Not thread-safe: the
 * state machine applies commands one at a time and hands readers immutable {@link ClusterSnapshot}s.
 * Every method is deterministic: the same commands in the same order give the same state on every server.
 */
public final class ClusterState {

    /** How many events the state keeps for {@code /v1/events}; older ones are dropped. */
    public static final int EVENT_HISTORY = 10_000;

    private final TreeMap<String, NodeRecord> nodes = new TreeMap<>();
    private final TreeMap<String, TreeMap<String, ApplicationTypeRecord>> types = new TreeMap<>();
    private final TreeMap<String, ApplicationRecord> applications = new TreeMap<>();
    private final TreeMap<ServiceName, ServiceRecord> services = new TreeMap<>();
    private final TreeMap<Long, ReplicaRecord> replicas = new TreeMap<>();
    private final TreeMap<String, TreeMap<ActivationKey, DeployedServicePackage>> deployed = new TreeMap<>();
    private final HealthReports health = new HealthReports();
    private final Deque<ClusterEvent> events = new ArrayDeque<>();
    private long nextReplicaId = 1;
    private long index;

    public long index() {
        return index;
    }

    /** Checks a command against the current state without changing anything; null when it would apply. */
    public Rejection check(ClusterCommand command) {
        return switch (command) {
            case RegisterApplicationType c -> {
                ApplicationTypeRecord t = c.type();
                if (type(t.name(), t.version()) != null) {
                    yield Rejection.exists("application type " + t.name() + " version " + t.version()
                            + " is already registered; give the package a new version, or unregister the old one first");
                }
                yield null;
            }
            case UnregisterApplicationType c -> {
                if (type(c.name(), c.version()) == null) {
                    yield Rejection.notFound(noSuchType(c.name(), c.version()));
                }
                List<String> users = applications.values().stream()
                        .filter(a -> a.typeName().equals(c.name()) && a.typeVersion().equals(c.version()))
                        .map(ApplicationRecord::name).toList();
                yield users.isEmpty() ? null : Rejection.inUse("application type " + c.name() + " " + c.version()
                        + " is used by applications " + users + "; delete them first");
            }
            case CreateApplication c -> {
                ApplicationRecord a = c.application();
                if (applications.containsKey(a.name())) {
                    yield Rejection.exists("application " + a.uri() + " already exists; choose another name or delete it first");
                }
                if (type(a.typeName(), a.typeVersion()) == null) {
                    yield Rejection.notFound(noSuchType(a.typeName(), a.typeVersion()));
                }
                yield null;
            }
            case DeleteApplication c -> applications.containsKey(c.name()) ? null
                    : Rejection.notFound("application " + c.name() + " does not exist; see `capstan app list`");
            case CreateService c -> {
                ServiceName n = c.service().name();
                if (!applications.containsKey(n.application())) {
                    yield Rejection.notFound("application " + n.application()
                            + " does not exist; create it first with `capstan app create`");
                }
                if (services.containsKey(n)) {
                    yield Rejection.exists("service " + n + " already exists; choose another name or delete it first");
                }
                yield null;
            }
            case UpdateService c -> {
                ServiceRecord old = services.get(c.name());
                if (old == null) {
                    yield Rejection.notFound("service " + c.name() + " does not exist");
                }
                if (old.spec().activation() != c.spec().activation()) {
                    yield Rejection.conflict("the activation mode of " + c.name() + " is " + old.spec().activation().wireName()
                            + " and cannot be changed after creation; delete the service and create it again with --activation "
                            + (c.spec().activation() == io.capstan.model.ActivationMode.SHARED_PROCESS ? "shared" : "exclusive"));
                }
                if (!old.spec().partitions().equals(c.spec().partitions())) {
                    yield Rejection.conflict("the partitioning of " + c.name() + " cannot be changed after creation");
                }
                if (old.spec().kind() != c.spec().kind() || !old.spec().serviceType().equals(c.spec().serviceType())) {
                    yield Rejection.conflict("the service type and kind of " + c.name() + " cannot be changed");
                }
                yield null;
            }
            case DeleteService c -> services.containsKey(c.name()) ? null
                    : Rejection.notFound("service " + c.name() + " does not exist; see `capstan service list "
                            + c.name().application() + "`");
            case RegisterNode c -> null;
            case SetNodeStatus c -> c.status() != NodeStatus.Up && c.status() != NodeStatus.Down
                    ? Rejection.invalid("a node's status is set only to Up or Down; disable it with `capstan node disable`")
                    : nodeMissing(c.name());
            case DisableNode c -> c.intent() == null
                    ? Rejection.invalid("intent is required: restart (it comes back after maintenance) or remove (it leaves)")
                    : nodeMissing(c.name());
            case EnableNode c -> nodeMissing(c.name());
            case ApplyPlacement c -> null;
            case ReportNode c -> nodes.containsKey(c.report().node()) ? null
                    : Rejection.notFound("node " + c.report().node() + " is not registered; register it first");
            case ReportHealth c -> {
                for (HealthReport r : c.reports()) {
                    Rejection rejection = health.check(r, this::exists);
                    if (rejection != null) {
                        yield rejection;
                    }
                }
                yield null;
            }
            case ExpireHealthReports c -> null;
        };
    }

    /**
     * Applies a command at log index {@code logIndex}: either it is valid and changes the state,
     * or it is rejected and changes nothing but the index.
     */
    public CommandResult apply(long logIndex, ClusterCommand command) {
        index = logIndex;
        Rejection rejection = check(command);
        if (rejection != null) {
            return CommandResult.rejected(logIndex, rejection);
        }
        switch (command) {
            case RegisterApplicationType c -> {
                types.computeIfAbsent(c.type().name(), k -> new TreeMap<>()).put(c.type().version(), c.type());
                event(c.at(), "ApplicationTypeRegistered", c.type().name() + " " + c.type().version(), "");
            }
            case UnregisterApplicationType c -> {
                TreeMap<String, ApplicationTypeRecord> versions = types.get(c.name());
                versions.remove(c.version());
                if (versions.isEmpty()) {
                    types.remove(c.name());
                }
                event(c.at(), "ApplicationTypeUnregistered", c.name() + " " + c.version(), "");
            }
            case CreateApplication c -> {
                applications.put(c.application().name(), c.application());
                event(c.at(), "ApplicationCreated", c.application().uri(),
                        "type " + c.application().typeName() + " " + c.application().typeVersion());
                for (ServiceRecord s : c.defaultServices()) {
                    addService(s, c.at());
                }
            }
            case DeleteApplication c -> {
                for (ServiceRecord s : List.copyOf(services.values())) {
                    if (s.name().application().equals(c.name())) {
                        removeService(s.name(), c.at());
                    }
                }
                applications.remove(c.name());
                health.dropEntities(e -> switch (e) {
                    case HealthEntity.Application x -> x.name().equals(c.name());
                    case HealthEntity.DeployedApplication x -> x.application().equals(c.name());
                    case HealthEntity.DeployedServicePackage x -> x.application().equals(c.name());
                    default -> false;
                });
                event(c.at(), "ApplicationDeleted", ServiceName.SCHEME + c.name(), "");
            }
            case CreateService c -> addService(c.service(), c.at());
            case UpdateService c -> {
                ServiceRecord old = services.get(c.name());
                services.put(c.name(), new ServiceRecord(old.name(), c.spec(), old.servicePackage(), old.partitions(),
                        old.createdAt(), old.placementProblem()));
                event(c.at(), "ServiceUpdated", c.name().uri(), "");
            }
            case DeleteService c -> removeService(c.name(), c.at());
            case RegisterNode c -> {
                NodeRecord old = nodes.get(c.node().name());
                if (old == null) {
                    nodes.put(c.node().name(), new NodeRecord(c.node(), NodeStatus.Up, c.at(), "registered", null));
                    event(c.at(), "NodeUp", c.node().name(),
                            "fault domain " + c.node().faultDomain() + ", upgrade domain " + c.node().upgradeDomain());
                } else {
                    NodeRecord described = new NodeRecord(c.node(), old.status(), old.since(), old.reason(), old.disableIntent());
                    nodes.put(c.node().name(), described);
                    setUpOrDown(described, NodeStatus.Up, "registered again", c.at());
                }
            }
            case SetNodeStatus c -> setUpOrDown(nodes.get(c.name()), c.status(), c.reason(), c.at());
            case DisableNode c -> {
                NodeRecord old = nodes.get(c.name());
                NodeRecord disabled = old.withDisableIntent(c.intent());
                if (old.status() == NodeStatus.Up) {
                    disabled = disabled.withStatus(NodeStatus.Disabling, c.at(), "disabled with intent " + c.intent());
                    event(c.at(), "NodeDisabling", c.name(), "intent " + c.intent() + "; moving its replicas off");
                }
                nodes.put(c.name(), disabled);
                finishDrains(c.at());
            }
            case EnableNode c -> {
                NodeRecord old = nodes.get(c.name());
                NodeRecord enabled = old.withDisableIntent(null);
                if (old.status().isDisabled()) {
                    enabled = enabled.withStatus(NodeStatus.Up, c.at(), "enabled");
                    event(c.at(), "NodeEnabled", c.name(), "");
                }
                nodes.put(c.name(), enabled);
            }
            case ApplyPlacement c -> {
                applyPlacement(c);
                finishDrains(c.at());
            }
            case ReportNode c -> applyReport(c.report().node(), c.report().deployed(), c.at());
            case ReportHealth c -> {
                for (HealthReport r : c.reports()) {
                    HealthState before = health.put(r);
                    if (before != r.healthState()) {
                        event(c.at(), "HealthReported", r.entity().text(), r.sourceId() + "/" + r.property() + " "
                                + (before == null ? "" : before + " -> ") + r.healthState()
                                + (r.description().isEmpty() ? "" : ": " + r.description()));
                    }
                }
            }
            case ExpireHealthReports c -> {
                for (HealthReport r : health.expire(c.at())) {
                    event(c.at(), "HealthReportExpired", r.entity().text(), r.sourceId() + "/" + r.property());
                }
            }
        }
        return CommandResult.applied(logIndex);
    }

    private Rejection nodeMissing(String name) {
        return nodes.containsKey(name) ? null
                : Rejection.notFound("node " + name + " is not registered; see `capstan node list`");
    }

    /**
     * Up or Down from heartbeats. A node an operator disabled stays so: it comes back as Disabling (and
     * becomes Disabled once drained), never as Up.
     */
    private void setUpOrDown(NodeRecord old, NodeStatus reachability, String reason, Instant at) {
        NodeStatus status = reachability == NodeStatus.Down ? NodeStatus.Down
                : old.disableIntent() == null ? NodeStatus.Up
                : old.status().isDisabled() ? old.status() : NodeStatus.Disabling;
        if (status == old.status()) {
            return;
        }
        nodes.put(old.name(), old.withStatus(status, at, reason));
        event(at, "Node" + status, old.name(), reason);
        rederiveReplicasOn(old.name(), at);
        finishDrains(at);
    }

    /** A Disabling node with no replicas left is Disabled. */
    private void finishDrains(Instant at) {
        for (NodeRecord n : List.copyOf(nodes.values())) {
            if (n.status() == NodeStatus.Disabling && replicas.values().stream().noneMatch(r -> r.node().equals(n.name()))) {
                nodes.put(n.name(), n.withStatus(NodeStatus.Disabled, at, "drained; intent " + n.disableIntent()));
                event(at, "NodeDisabled", n.name(), "no replicas left; intent " + n.disableIntent());
            }
        }
    }

    private void addService(ServiceRecord s, Instant at) {
        services.put(s.name(), s);
        event(at, "ServiceCreated", s.name().uri(), s.spec().kind().wireName() + ", " + s.partitions().size()
                + " partition(s), " + s.spec().activation().wireName());
    }

    private void removeService(ServiceName name, Instant at) {
        services.remove(name);
        replicas.values().removeIf(r -> r.service().equals(name));
        health.dropEntities(e -> switch (e) {
            case HealthEntity.Service x -> x.name().equals(name);
            case HealthEntity.Partition x -> x.service().equals(name);
            case HealthEntity.Replica x -> x.service().equals(name);
            default -> false;
        });
        event(at, "ServiceDeleted", name.uri(), "");
    }

    private void applyPlacement(ApplyPlacement c) {
        for (ClusterCommand.NewReplica p : c.placements()) {
            ServiceRecord s = services.get(p.service());
            boolean partitionExists = s != null && s.partitions().stream().anyMatch(x -> x.id().equals(p.partitionId()));
            boolean nodeUsable = nodes.containsKey(p.node()) && nodes.get(p.node()).status() == NodeStatus.Up;
            boolean duplicate = replicas.values().stream()
                    .anyMatch(r -> r.partitionId().equals(p.partitionId()) && r.node().equals(p.node()));
            if (!partitionExists || !nodeUsable || duplicate) {
                continue; // the plan is stale for this part: the next plan will see the new state
            }
            ReplicaRecord r = new ReplicaRecord(nextReplicaId++, p.service(), p.partitionId(), p.node(), p.role(),
                    ReplicaStatus.InBuild, p.activationId());
            replicas.put(r.id(), deriveStatus(r));
            event(c.at(), "ReplicaPlaced", replicaEntity(r), "on " + r.node() + roleText(r.role()));
        }
        for (ClusterCommand.Removal removal : c.removals()) {
            ReplicaRecord r = replicas.remove(removal.replicaId());
            if (r == null) {
                continue;
            }
            health.dropEntities(e -> e instanceof HealthEntity.Replica x && x.replicaId() == r.id());
            // A partition that lost a replica and gained one on another node in the same plan moved it.
            String movedTo = c.placements().stream()
                    .filter(p -> p.partitionId().equals(r.partitionId()) && !p.node().equals(r.node()))
                    .map(ClusterCommand.NewReplica::node).findFirst().orElse(null);
            event(c.at(), movedTo != null ? "ReplicaMoved" : "ReplicaRemoved", replicaEntity(r),
                    "from " + r.node() + (movedTo != null ? " to " + movedTo : "") + ": " + removal.reason());
        }
        for (ClusterCommand.RoleAssignment a : c.roleChanges()) {
            ReplicaRecord r = replicas.get(a.replicaId());
            if (r != null && r.role() != a.role()) {
                replicas.put(r.id(), r.withRole(a.role()));
                event(c.at(), a.role() == ReplicaRole.Primary ? "PrimaryChanged" : "ReplicaRoleChanged",
                        replicaEntity(r), r.role() + " -> " + a.role() + " on " + r.node());
            }
        }
        c.problems().forEach((name, problem) -> {
            ServiceRecord s = services.get(name);
            if (s == null) {
                return;
            }
            String newProblem = problem.isEmpty() ? null : problem;
            if (!java.util.Objects.equals(s.placementProblem(), newProblem)) {
                services.put(name, s.withPlacementProblem(newProblem));
                if (newProblem != null) {
                    event(c.at(), "PlacementFailed", name.uri(), newProblem);
                }
            }
        });
    }

    private void applyReport(String node, List<DeployedServicePackage> report, Instant at) {
        TreeMap<ActivationKey, DeployedServicePackage> before = deployed.getOrDefault(node, new TreeMap<>());
        TreeMap<ActivationKey, DeployedServicePackage> after = new TreeMap<>();
        for (DeployedServicePackage d : report) {
            after.put(d.key(), d);
            DeployedServicePackage old = before.get(d.key());
            if (old == null) {
                event(at, "ServicePackageActivated", activationEntity(node, d.key()), "");
            }
            for (CodePackageStatus cp : d.codePackages()) {
                CodePackageStatus oldCp = old == null ? null : old.codePackages().stream()
                        .filter(x -> x.name().equals(cp.name())).findFirst().orElse(null);
                codePackageEvents(activationEntity(node, d.key()) + "/" + cp.name(), oldCp, cp, at);
            }
        }
        for (ActivationKey k : before.keySet()) {
            if (!after.containsKey(k)) {
                event(at, "ServicePackageDeactivated", activationEntity(node, k), "");
            }
        }
        if (after.isEmpty()) {
            deployed.remove(node);
        } else {
            deployed.put(node, after);
        }
        rederiveReplicasOn(node, at);
    }

    /** Started, exited and restarted code packages, and probes that start or stop failing, as events. */
    private void codePackageEvents(String entity, CodePackageStatus old, CodePackageStatus now, Instant at) {
        if (now.pid() != null && (old == null || !now.pid().equals(old.pid()))) {
            event(at, "CodePackageStarted", entity, "pid " + now.pid());
        }
        if (now.lastExitAt() != null && (old == null || !now.lastExitAt().equals(old.lastExitAt()))) {
            event(at, "CodePackageExited", entity, "exit code " + now.lastExitCode()
                    + (now.lastExitReason() == null ? "" : " after " + now.lastExitReason())
                    + (now.consecutiveFailures() > 0 ? ", " + now.consecutiveFailures() + " failure(s) in a row" : ""));
        }
        if (old != null && now.restartCount() > old.restartCount()) {
            event(at, "CodePackageRestarted", entity, "restart " + now.restartCount() + ", last exit code " + now.lastExitCode());
        }
        for (ProbeStatus probe : now.probes()) {
            ProbeStatus before = old == null ? null : old.probes().stream()
                    .filter(x -> x.type() == probe.type()).findFirst().orElse(null);
            boolean wasFailing = before != null && failing(before);
            if (wasFailing != failing(probe)) {
                event(at, wasFailing ? "ProbeRecovered" : "ProbeFailed", entity,
                        probe.type() + " probe: " + probe.lastMessage());
            }
        }
    }

    /**
     * Failed its checks, as opposed to not passing yet because it has not been checked since the process started.
     * A startup probe is not passing until the program is up, failures included, so it never counts: when it gives
     * up, the restart is the event.
     */
    private static boolean failing(ProbeStatus probe) {
        return probe.type() != ProbeStatus.Type.Startup && !probe.passing() && probe.consecutiveFailures() > 0;
    }

    private void rederiveReplicasOn(String node, Instant at) {
        for (ReplicaRecord r : List.copyOf(replicas.values())) {
            if (r.node().equals(node)) {
                ReplicaRecord updated = deriveStatus(r);
                if (updated.status() != r.status()) {
                    replicas.put(r.id(), updated);
                    event(at, "Replica" + updated.status(), replicaEntity(r), "on " + node);
                }
            }
        }
    }

    /**
     * Down when its node is Down or its activation Failed (a crash loop past the restart policy's limit);
     * Ready when the activation hosting it is Active, reports hosting it, and every code package is ready
     * (passing its readiness probe); InBuild otherwise.
     */
    private ReplicaRecord deriveStatus(ReplicaRecord r) {
        ServiceRecord s = services.get(r.service());
        if (s == null) {
            return r;
        }
        NodeRecord node = nodes.get(r.node());
        if (node == null || node.status() == NodeStatus.Down) {
            return r.withStatus(ReplicaStatus.Down);
        }
        ActivationKey key = new ActivationKey(r.service().application(), s.servicePackage(), r.activationId());
        DeployedServicePackage d = deployed.getOrDefault(r.node(), new TreeMap<>()).get(key);
        if (d != null && d.state() == DeployedServicePackage.ActivationState.Failed) {
            return r.withStatus(ReplicaStatus.Down);
        }
        boolean ready = d != null && d.state() == DeployedServicePackage.ActivationState.Active
                && d.replicaIds().contains(r.id())
                && d.codePackages().stream().allMatch(CodePackageStatus::ready);
        return r.withStatus(ready ? ReplicaStatus.Ready : ReplicaStatus.InBuild);
    }

    /** Whether a health entity names something the cluster has. */
    private boolean exists(HealthEntity entity) {
        return switch (entity) {
            case HealthEntity.Cluster x -> true;
            case HealthEntity.Node x -> nodes.containsKey(x.name());
            case HealthEntity.Application x -> applications.containsKey(x.name());
            case HealthEntity.Service x -> services.containsKey(x.name());
            case HealthEntity.Partition x -> services.containsKey(x.service())
                    && services.get(x.service()).partitions().stream().anyMatch(p -> p.id().equals(x.partitionId()));
            case HealthEntity.Replica x -> replicas.containsKey(x.replicaId())
                    && replicas.get(x.replicaId()).service().equals(x.service())
                    && replicas.get(x.replicaId()).partitionId().equals(x.partitionId());
            case HealthEntity.DeployedApplication x -> deployed.getOrDefault(x.node(), new TreeMap<>()).keySet().stream()
                    .anyMatch(k -> k.application().equals(x.application()));
            case HealthEntity.DeployedServicePackage x -> deployed.getOrDefault(x.node(), new TreeMap<>())
                    .containsKey(new ActivationKey(x.application(), x.servicePackage(), x.activationId()));
        };
    }

    private ApplicationTypeRecord type(String name, String version) {
        TreeMap<String, ApplicationTypeRecord> versions = types.get(name);
        return versions == null ? null : versions.get(version);
    }

    private String noSuchType(String name, String version) {
        TreeMap<String, ApplicationTypeRecord> versions = types.get(name);
        if (versions == null) {
            return "application type " + name + " is not registered; register it with `capstan apptype register DIR`"
                    + (types.isEmpty() ? "" : " (registered types: " + types.keySet() + ")");
        }
        return "application type " + name + " has no version " + version + "; registered versions: " + versions.keySet();
    }

    private void event(Instant at, String kind, String entity, String message) {
        events.addLast(new ClusterEvent(index, at, kind, entity, message));
        if (events.size() > EVENT_HISTORY) {
            events.removeFirst();
        }
    }

    private String replicaEntity(ReplicaRecord r) {
        return r.service().uri() + "/" + r.partitionId() + "/" + r.id();
    }

    private static String activationEntity(String node, ActivationKey k) {
        return node + "/" + k.application() + "/" + k.servicePackage() + (k.activationId().isEmpty() ? "" : "/" + k.activationId());
    }

    private static String roleText(ReplicaRole role) {
        return role == ReplicaRole.None ? "" : " as " + role;
    }

    /** An immutable copy of the state for readers. */
    public ClusterSnapshot snapshot() {
        SortedMap<String, SortedMap<String, ApplicationTypeRecord>> typeCopy = new TreeMap<>();
        types.forEach((k, v) -> typeCopy.put(k, Collections.unmodifiableSortedMap(new TreeMap<>(v))));
        SortedMap<String, SortedMap<ActivationKey, DeployedServicePackage>> deployedCopy = new TreeMap<>();
        deployed.forEach((k, v) -> deployedCopy.put(k, Collections.unmodifiableSortedMap(new TreeMap<>(v))));
        return new ClusterSnapshot(index,
                Collections.unmodifiableSortedMap(new TreeMap<>(nodes)),
                Collections.unmodifiableSortedMap(typeCopy),
                Collections.unmodifiableSortedMap(new TreeMap<>(applications)),
                Collections.unmodifiableSortedMap(new TreeMap<>(services)),
                Collections.unmodifiableSortedMap(new TreeMap<>(replicas)),
                Collections.unmodifiableSortedMap(deployedCopy),
                health.snapshot(),
                List.copyOf(events));
    }

    /** What a snapshot file holds; lists rather than maps so the JSON needs no key serializers. */
    public record Persisted(
            long index,
            long nextReplicaId,
            List<NodeRecord> nodes,
            List<ApplicationTypeRecord> applicationTypes,
            List<ApplicationRecord> applications,
            List<ServiceRecord> services,
            List<ReplicaRecord> replicas,
            List<DeployedServicePackage> deployed,
            List<HealthReport> healthReports,
            List<ClusterEvent> events) {
    }

    public Persisted persisted() {
        List<DeployedServicePackage> allDeployed = new ArrayList<>();
        deployed.values().forEach(m -> allDeployed.addAll(m.values()));
        return new Persisted(index, nextReplicaId, List.copyOf(nodes.values()),
                types.values().stream().flatMap(m -> m.values().stream()).toList(),
                List.copyOf(applications.values()), List.copyOf(services.values()), List.copyOf(replicas.values()),
                allDeployed, health.all(), List.copyOf(events));
    }

    /** Rebuilds the state a snapshot file describes. */
    public static ClusterState restore(Persisted p) {
        ClusterState s = new ClusterState();
        s.index = p.index();
        s.nextReplicaId = p.nextReplicaId();
        p.nodes().forEach(n -> s.nodes.put(n.name(), n));
        p.applicationTypes().forEach(t -> s.types.computeIfAbsent(t.name(), k -> new TreeMap<>()).put(t.version(), t));
        p.applications().forEach(a -> s.applications.put(a.name(), a));
        p.services().forEach(x -> s.services.put(x.name(), x));
        p.replicas().forEach(r -> s.replicas.put(r.id(), r));
        p.deployed().forEach(d -> s.deployed.computeIfAbsent(d.node(), k -> new TreeMap<>()).put(d.key(), d));
        if (p.healthReports() != null) {
            s.health.restore(p.healthReports());
        }
        s.events.addAll(p.events());
        return s;
    }
}
