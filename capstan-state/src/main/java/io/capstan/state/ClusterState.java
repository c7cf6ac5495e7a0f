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
import io.capstan.state.ClusterCommand.AclCommand;
import io.capstan.state.ClusterCommand.AgentCommand;
import io.capstan.state.ClusterCommand.ApplicationCommand;
import io.capstan.state.ClusterCommand.Audited;
import io.capstan.state.ClusterCommand.HealthCommand;
import io.capstan.state.ClusterCommand.MemberCommand;
import io.capstan.state.ClusterCommand.NodeCommand;
import io.capstan.state.ClusterCommand.PlacementCommand;
import io.capstan.state.ClusterCommand.UpgradeCommand;
import java.time.Instant;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.pcollections.TreePMap;
import org.pcollections.TreePSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster state as the log builds it: the current immutable {@link ClusterSnapshot}, and {@link #apply},
 * which hands each command to its group's handler to check and apply it on a {@link StateChange}. The next
 * version replaces the current one only when the command went through whole: a rejected command, or one whose
 * handler failed unexpectedly, leaves the state as it was (and is answered the same on every server), so
 * {@code apply} never throws. Not thread-safe: the state machine applies one command at a time; readers take
 * {@link #snapshot()}, which is immutable.
 */
public final class ClusterState {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterState.class);

    private final StateLimits limits;
    private final NodeCommands nodes;
    private final ApplicationCommands applications;
    private final PlacementApplier placement;
    private final HealthCommands health;
    private final AgentReports reports;
    private final UpgradeCommands upgrades;
    private final MemberCommands members = new MemberCommands();
    private final AclCommands acl = new AclCommands();
    private ClusterSnapshot current;
    private Set<String> lastTouched = Set.of();

    public ClusterState() {
        this(StateLimits.DEFAULT, ClusterSnapshot.EMPTY);
    }

    private ClusterState(StateLimits limits, ClusterSnapshot initial) {
        this.limits = limits;
        this.nodes = new NodeCommands(limits);
        this.applications = new ApplicationCommands(limits);
        this.placement = new PlacementApplier(limits);
        this.health = new HealthCommands(limits);
        this.reports = new AgentReports(limits);
        this.upgrades = new UpgradeCommands(limits);
        this.current = initial;
    }

    public long index() {
        return current.index();
    }

    /** The current version; immutable, so readers may keep it as long as they like. */
    public ClusterSnapshot snapshot() {
        return current;
    }

    /** The watches ({@link Watch#key()}) the last applied command changed. */
    public Set<String> lastTouched() {
        return lastTouched;
    }

    /** Checks a command against the current state without changing anything; null when it would apply. */
    public Rejection check(ClusterCommand command) {
        return check(current, command, limits);
    }

    /** Checks a command against any version (the leader validates against its newest before appending). */
    public static Rejection check(ClusterSnapshot state, ClusterCommand command, StateLimits limits) {
        return new ClusterState(limits, state).checkOn(new StateChange(state, state.index() + 1, limits), command);
    }

    private Rejection checkOn(StateChange change, ClusterCommand command) {
        if (command == null || command.at() == null) {
            return Rejection.invalid("at: every command carries the time it was issued");
        }
        try {
            return switch (command) {
                case NodeCommand c -> nodes.check(change, c);
                case ApplicationCommand c -> applications.check(change, c);
                case PlacementCommand c -> placement.check(change, c);
                case HealthCommand c -> health.check(change, c);
                case AgentCommand c -> reports.check(change, c);
                case UpgradeCommand c -> upgrades.check(change, c);
                case MemberCommand c -> members.check(change, c);
                case AclCommand c -> acl.check(change, c);
                case Audited c -> c.audit() == null || c.command() instanceof Audited
                        ? Rejection.invalid("audit: an audited write carries one audit record and one command")
                        : checkOn(change, c.command());
            };
        } catch (RuntimeException e) {
            LOG.error("checking {} failed; rejecting it", command.getClass().getSimpleName(), e);
            return Rejection.internal("the command could not be checked (" + e + "); nothing was changed");
        }
    }

    /**
     * Applies a command at log index {@code logIndex}: either it is valid and the next version is published, or
     * it is rejected and nothing changes but the index. Never throws.
     */
    public CommandResult apply(long logIndex, ClusterCommand command) {
        StateChange change = new StateChange(current, logIndex, limits);
        Rejection rejection = checkOn(change, command);
        if (rejection == null) {
            try {
                applyOn(change, command);
                current = change.build();
                lastTouched = Set.copyOf(change.touched());
                return change.refused() > 0 ? CommandResult.appliedInPart(logIndex, change.refused(), change.note())
                        : CommandResult.applied(logIndex);
            } catch (RuntimeException e) {
                LOG.error("applying {} at index {} failed; the state is left as it was", command.getClass().getSimpleName(),
                        logIndex, e);
                rejection = Rejection.internal("the command failed while being applied (" + e + "); nothing was changed");
            }
        }
        current = new StateChange(current, logIndex, limits).build();
        lastTouched = Set.of();
        return CommandResult.rejected(logIndex, rejection);
    }

    private void applyOn(StateChange change, ClusterCommand command) {
        switch (command) {
            case NodeCommand c -> nodes.apply(change, c);
            case ApplicationCommand c -> applications.apply(change, c);
            case PlacementCommand c -> placement.apply(change, c);
            case HealthCommand c -> health.apply(change, c);
            case AgentCommand c -> reports.apply(change, c);
            case UpgradeCommand c -> upgrades.apply(change, c);
            case MemberCommand c -> members.apply(change, c);
            case AclCommand c -> acl.apply(change, c);
            case Audited c -> {
                applyOn(change, c.command());
                change.audit(c.audit());
            }
        }
    }

    /** What a snapshot file holds; lists rather than maps so the encoding needs no key serializers. */
    public record Persisted(
            long index,
            long nextReplicaId,
            long nextEventSeq,
            List<NodeRecord> nodes,
            List<ApplicationTypeRecord> applicationTypes,
            List<ApplicationRecord> applications,
            List<ServiceRecord> services,
            List<ReplicaRecord> replicas,
            List<DeployedServicePackage> deployed,
            List<HealthReport> healthReports,
            List<ClusterEvent> events,
            SortedMap<String, Long> modifyIndexes,
            SortedMap<String, String> serverApis,
            List<AclToken> aclTokens,
            Instant aclBootstrappedAt,
            List<AuditRecord> audit) {
    }

    public Persisted persisted() {
        return persisted(current);
    }

    /** The tables of a version (not its indexes, which are rebuilt from them), in key order. */
    public static Persisted persisted(ClusterSnapshot s) {
        List<DeployedServicePackage> deployed = new ArrayList<>();
        s.deployed.values().forEach(m -> deployed.addAll(m.values()));
        List<HealthReport> reports = new ArrayList<>();
        s.healthReports.values().forEach(m -> reports.addAll(m.values()));
        return new Persisted(s.index, s.nextReplicaId, s.nextEventSeq, List.copyOf(s.nodes.values()),
                s.applicationTypeList(), List.copyOf(s.applications.values()), List.copyOf(s.services.values()),
                List.copyOf(s.replicas.values()), deployed, reports, List.copyOf(s.events.values()),
                new TreeMap<>(s.modifyIndexes), new TreeMap<>(s.serverApis), List.copyOf(s.aclTokens.values()),
                s.aclBootstrappedAt, List.copyOf(s.audit.values()));
    }

    /**
     * Rebuilds the state a snapshot file describes, indexes included. The replica table and its indexes (the
     * bulk of a large state) are built on a second thread while this one builds the rest and the usage per node.
     */
    public static ClusterState restore(Persisted p) {
        CompletableFuture<ReplicaTables> replicaTables = CompletableFuture.supplyAsync(() -> ReplicaTables.of(p.replicas()));
        TreeMap<String, NodeRecord> nodes = new TreeMap<>();
        p.nodes().forEach(n -> nodes.put(n.name(), n));
        TreeMap<String, TreeMap<String, ApplicationTypeRecord>> types = new TreeMap<>();
        p.applicationTypes().forEach(t -> types.computeIfAbsent(t.name(), k -> new TreeMap<>()).put(t.version(), t));
        TreeMap<String, TreePMap<String, ApplicationTypeRecord>> typeMaps = new TreeMap<>();
        types.forEach((k, v) -> typeMaps.put(k, TreePMap.fromSortedMap(v)));
        TreeMap<String, ApplicationRecord> apps = new TreeMap<>();
        p.applications().forEach(a -> apps.put(a.name(), a));
        TreeMap<ServiceName, ServiceRecord> services = new TreeMap<>();
        TreeMap<String, TreeSet<ServiceName>> byApp = new TreeMap<>();
        TreeMap<UUID, PartitionRef> partitions = new TreeMap<>();
        for (ServiceRecord s : p.services()) {
            services.put(s.name(), s);
            byApp.computeIfAbsent(s.name().application(), k -> new TreeSet<>()).add(s.name());
            for (PartitionRecord part : s.partitions()) {
                partitions.put(part.id(), new PartitionRef(s.name(), part));
            }
        }
        TreeMap<String, TreeMap<ActivationKey, DeployedServicePackage>> deployed = new TreeMap<>();
        p.deployed().forEach(d -> deployed.computeIfAbsent(d.node(), k -> new TreeMap<>()).put(d.key(), d));
        TreeMap<HealthEntity, TreeMap<String, HealthReport>> health = new TreeMap<>();
        p.healthReports().forEach(r -> health.computeIfAbsent(r.entity(), k -> new TreeMap<>()).put(r.key(), r));
        TreeMap<Long, ClusterEvent> events = new TreeMap<>();
        long seq = p.nextEventSeq() - p.events().size();
        for (ClusterEvent e : p.events()) {
            events.put(seq++, e);
        }
        TreePMap<String, TreePMap<String, ApplicationTypeRecord>> typeTable = TreePMap.fromSortedMap(typeMaps);
        TreePMap<String, ApplicationRecord> appTable = TreePMap.fromSortedMap(apps);
        TreePMap<ServiceName, ServiceRecord> serviceTable = TreePMap.fromSortedMap(services);
        Usage usage = Usage.of(p.replicas(), serviceTable, appTable, typeTable);
        ReplicaTables r = replicaTables.join();
        ClusterSnapshot s = new ClusterSnapshot(p.index(), p.nextReplicaId(), p.nextEventSeq(),
                TreePMap.fromSortedMap(nodes), typeTable, appTable, serviceTable, sets(byApp),
                TreePMap.fromSortedMap(partitions), r.replicas(), r.byNode(), r.byPartition(),
                nested(deployed), nested(health), TreePMap.fromSortedMap(events),
                TreePMap.fromSortedMap(new TreeMap<>(p.modifyIndexes())), usage.byNode(), usage.ready(),
                p.serverApis() == null ? TreePMap.empty() : TreePMap.fromSortedMap(new TreeMap<>(p.serverApis())),
                aclTokens(p.aclTokens()), p.aclBootstrappedAt(), audit(p.audit()));
        return new ClusterState(StateLimits.DEFAULT, s);
    }

    private static TreePMap<String, AclToken> aclTokens(List<AclToken> tokens) {
        TreePMap<String, AclToken> out = TreePMap.empty();
        for (AclToken t : tokens == null ? List.<AclToken>of() : tokens) {
            out = out.plus(t.id(), t);
        }
        return out;
    }

    private static TreePMap<Long, AuditRecord> audit(List<AuditRecord> records) {
        TreePMap<Long, AuditRecord> out = TreePMap.empty();
        for (AuditRecord r : records == null ? List.<AuditRecord>of() : records) {
            out = out.plus(r.index(), r);
        }
        return out;
    }

    /** The replica table and its by-node and by-partition indexes, built from replicas in id order. */
    private record ReplicaTables(TreePMap<Long, ReplicaRecord> replicas, TreePMap<String, TreePSet<Long>> byNode,
                                 TreePMap<UUID, TreePSet<Long>> byPartition) {
        static ReplicaTables of(List<ReplicaRecord> list) {
            // Grouped in hash maps and sorted once: a snapshot holds a million replicas, and they come in id order.
            TreeMap<Long, ReplicaRecord> replicas = new TreeMap<>();
            HashMap<String, List<Long>> byNode = new HashMap<>();
            HashMap<UUID, List<Long>> byPartition = new HashMap<>();
            for (ReplicaRecord r : list) {
                replicas.put(r.id(), r);
                byNode.computeIfAbsent(r.node(), k -> new ArrayList<>()).add(r.id());
                byPartition.computeIfAbsent(r.partitionId(), k -> new ArrayList<>()).add(r.id());
            }
            return new ReplicaTables(TreePMap.fromSortedMap(replicas), idSets(byNode), idSets(byPartition));
        }
    }

    /** The derived per-node usage and Ready count of a restored version, rebuilt from its replicas. */
    private record Usage(TreePMap<String, NodeUsage> byNode, long ready) {
        static Usage of(List<ReplicaRecord> replicas, TreePMap<ServiceName, ServiceRecord> services,
                TreePMap<String, ApplicationRecord> apps, TreePMap<String, TreePMap<String, ApplicationTypeRecord>> types) {
            // Hash maps while grouping a million replicas, sorted once per node at the end.
            HashMap<String, HashMap<ActivationKey, ActivationUse>> byNode = new HashMap<>();
            Map<ServiceName, Map<String, Double>> loads = new HashMap<>();
            long ready = 0;
            for (ReplicaRecord r : replicas) {
                ServiceRecord svc = services.get(r.service());
                Map<String, Double> load = loads.computeIfAbsent(svc.name(), k -> {
                    ApplicationRecord app = apps.get(k.application());
                    TreePMap<String, ApplicationTypeRecord> versions = app == null ? null : types.get(app.typeName());
                    return Map.copyOf(ServiceLoads.of(versions == null ? null : versions.get(app.typeVersion()), svc.servicePackage()));
                });
                byNode.computeIfAbsent(r.node(), k -> new HashMap<>()).merge(ReplicaDerivation.activationOf(svc, r),
                        new ActivationUse(1, load), (a, b) -> new ActivationUse(a.replicas() + 1, a.load()));
                ready += r.status() == ReplicaStatus.Ready ? 1 : 0;
            }
            TreeMap<String, NodeUsage> usage = new TreeMap<>();
            byNode.forEach((node, activations) -> usage.put(node, NodeUsage.of(new TreeMap<>(activations))));
            return new Usage(TreePMap.fromSortedMap(usage), ready);
        }
    }

    private static <K extends Comparable<K>, E> TreePMap<K, TreePSet<E>> sets(TreeMap<K, TreeSet<E>> m) {
        TreeMap<K, TreePSet<E>> out = new TreeMap<>(m.comparator());
        m.forEach((k, v) -> out.put(k, TreePSet.fromSortedSet(v)));
        return TreePMap.fromSortedMap(out);
    }

    /** An index from id lists already in ascending order (each is built in one pass, not id by id). */
    private static <K extends Comparable<K>> TreePMap<K, TreePSet<Long>> idSets(Map<K, List<Long>> m) {
        TreeMap<K, TreePSet<Long>> out = new TreeMap<>();
        m.forEach((k, ids) -> out.put(k, TreePSet.fromSortedSet(new AscendingIds(ids))));
        return TreePMap.fromSortedMap(out);
    }

    /** A list of ids in strictly ascending order, seen as the sorted set it is. */
    private static final class AscendingIds extends AbstractSet<Long> implements SortedSet<Long> {
        private final List<Long> ids;

        AscendingIds(List<Long> ids) {
            this.ids = ids;
        }

        @Override
        public Iterator<Long> iterator() {
            return Collections.unmodifiableList(ids).iterator();
        }

        @Override
        public int size() {
            return ids.size();
        }

        @Override
        public boolean contains(Object o) {
            return o instanceof Long id && Collections.binarySearch(ids, id) >= 0;
        }

        @Override
        public Comparator<? super Long> comparator() {
            return null;
        }

        @Override
        public SortedSet<Long> subSet(Long from, Long to) {
            return new AscendingIds(ids.subList(position(from), Math.max(position(from), position(to))));
        }

        @Override
        public SortedSet<Long> headSet(Long to) {
            return new AscendingIds(ids.subList(0, position(to)));
        }

        @Override
        public SortedSet<Long> tailSet(Long from) {
            return new AscendingIds(ids.subList(position(from), ids.size()));
        }

        @Override
        public Long first() {
            if (ids.isEmpty()) {
                throw new NoSuchElementException();
            }
            return ids.get(0);
        }

        @Override
        public Long last() {
            if (ids.isEmpty()) {
                throw new NoSuchElementException();
            }
            return ids.get(ids.size() - 1);
        }

        /** Where {@code id} is or would go. */
        private int position(Long id) {
            int at = Collections.binarySearch(ids, id);
            return at >= 0 ? at : -at - 1;
        }
    }

    private static <K, K2, V> TreePMap<K, TreePMap<K2, V>> nested(TreeMap<K, TreeMap<K2, V>> m) {
        TreeMap<K, TreePMap<K2, V>> out = new TreeMap<>(m.comparator());
        m.forEach((k, v) -> out.put(k, TreePMap.fromSortedMap(v)));
        return TreePMap.fromSortedMap(out);
    }
}
