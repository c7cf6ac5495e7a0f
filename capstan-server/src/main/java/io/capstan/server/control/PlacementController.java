package io.capstan.server.control;

import io.capstan.model.ActivationMode;
import io.capstan.model.ServiceName;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.placement.PlacementFailure;
import io.capstan.placement.PlacementPlan;
import io.capstan.placement.PlacementPlanner;
import io.capstan.placement.ReplicaPlacement;
import io.capstan.placement.ReplicaRemoval;
import io.capstan.placement.RoleChange;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterStore;
import io.capstan.state.CommandResult;
import io.capstan.state.Watch;
import io.capstan.state.Watch.StateTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's placement loop. It plans what changed since its last plan (services created, changed or with
 * changed replicas, services with replicas on nodes whose status changed, services waiting for room, and
 * one-per-node services when nodes come or go) and, every {@link #FULL_PASS_EVERY}, the whole cluster; it
 * commits the plan in parts of at most {@link #CHANGES_PER_COMMAND} changes, each partition's changes in one
 * part, so any plan commits however large. Plans commit on a thread of their own while the loop plans the next
 * services: those with parts still in flight wait for them ({@link PlacementsInFlight}), and what the parts in
 * flight will use counts as used. The plan applier re-checks every part; the services of a part it refused (in
 * part) are planned again in the next pass.
 *
 * <p>A service with a Primary on a Down node waits until that node's lease has surely run out ({@link PrimaryFences}):
 * before that, its agent may not have demoted the Primary yet, and a promotion elsewhere would make two.
 */
public final class PlacementController implements LeaderController {

    private static final Logger LOG = LoggerFactory.getLogger(PlacementController.class);

    /**
     * Changes in one placement command: about 40 KiB encoded, far under the log entry limit, and short enough to
     * apply (about 10 ms) that other writes do not wait long behind the few in flight.
     */
    static final int CHANGES_PER_COMMAND = 500;
    /**
     * Parts of one plan submitted before the first is answered: enough to keep the applier busy while the next
     * part is encoded and replicated, few enough that a write from the API waits behind at most this many.
     */
    static final int PARTS_IN_FLIGHT = 4;
    /** How long the next part waits for the writes of operators and agents in flight before it goes anyway. */
    static final Duration YIELD_TO_WRITES = Duration.ofMillis(50);
    /** Parts planned but not yet answered above which the loop waits before planning more. */
    static final int PARTS_AHEAD = 2 * PARTS_IN_FLIGHT;
    /** The longest the loop waits for the applier to catch up before it looks again (and checks it still leads). */
    static final Duration LONGEST_WAIT_FOR_THE_APPLIER = Duration.ofSeconds(5);
    /** How often the loop looks for answered parts while plans commit (each answer is also a commit, which wakes it). */
    static final Duration WHILE_PLANS_COMMIT = Duration.ofMillis(100);
    /**
     * How often the whole cluster is planned, whatever changed: a safety net for anything the deltas miss. Rare,
     * because at a million replicas a full pass is seconds of planning during which nothing else is planned.
     */
    static final Duration FULL_PASS_EVERY = Duration.ofMinutes(5);

    private final ClusterStore store;
    private final PlacementPlanner planner = new PlacementPlanner();
    private final Clock clock;
    private final Supplier<String> activationIds;
    private final HeartbeatTracker heartbeats;
    private final HeartbeatPolicy heartbeatPolicy;

    /** @param heartbeats and {@code heartbeatPolicy} say when a Down node's lease has surely run out */
    public PlacementController(ClusterStore store, Clock clock, Supplier<String> activationIds, HeartbeatTracker heartbeats,
            HeartbeatPolicy heartbeatPolicy) {
        this.store = store;
        this.clock = clock;
        this.activationIds = activationIds;
        this.heartbeats = heartbeats;
        this.heartbeatPolicy = heartbeatPolicy;
    }

    @Override
    public String name() {
        return "placement";
    }

    @Override
    public void runWhileLeader(BooleanSupplier stillLeader) throws InterruptedException {
        PlacementsInFlight inFlight = new PlacementsInFlight();
        LinkedBlockingQueue<ServiceName> again = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<List<ClusterCommand.ApplyPlacement>> plans = new LinkedBlockingQueue<>();
        // Plans commit on their own thread, so the next services are planned while the last plan's parts apply.
        Thread committer = Thread.ofPlatform().name("placement-commit").daemon(true).start(() -> commitPlans(plans, inFlight, again));
        try {
            plan(stillLeader, inFlight, again, plans, new PrimaryFences(heartbeats, heartbeatPolicy, clock.instant()));
        } finally {
            committer.interrupt();
            committer.join();
        }
    }

    private void plan(BooleanSupplier stillLeader, PlacementsInFlight inFlight, LinkedBlockingQueue<ServiceName> again,
            LinkedBlockingQueue<List<ClusterCommand.ApplyPlacement>> plans, PrimaryFences fences) throws InterruptedException {
        long seen = -1;
        long plannedAt = -1;
        Instant lastFullPass = null;
        Map<String, NodeStatus> nodeStatuses = new HashMap<>();
        Set<ServiceName> refused = new TreeSet<>();
        Set<ServiceName> deferred = new TreeSet<>();
        Map<ServiceName, Instant> awaitingLease = new HashMap<>();
        while (stillLeader.getAsBoolean()) {
            boolean busy = !inFlight.isEmpty() || !deferred.isEmpty() || !awaitingLease.isEmpty();
            ClusterSnapshot state = store.awaitAfter(seen, busy ? WHILE_PLANS_COMMIT : Duration.ofSeconds(5));
            again.drainTo(refused);
            Instant now = clock.instant();
            for (var it = awaitingLease.entrySet().iterator(); it.hasNext(); ) {
                var waiting = it.next();
                if (!now.isBefore(waiting.getValue())) {
                    refused.add(waiting.getKey());
                    it.remove();
                }
            }
            for (var it = deferred.iterator(); it.hasNext(); ) {
                ServiceName name = it.next();
                if (!inFlight.holds(name)) {
                    refused.add(name);
                    it.remove();
                }
            }
            // A full pass plans every service from scratch: only once nothing is on its way.
            boolean full = inFlight.isEmpty()
                    && (lastFullPass == null || !clock.instant().isBefore(lastFullPass.plus(FULL_PASS_EVERY)));
            if (state.index() == seen && !full && refused.isEmpty()) {
                continue;
            }
            seen = state.index();
            boolean nodesChanged = changedSince(state, plannedAt, StateTable.NODES);
            if (!full && !nodesChanged && refused.isEmpty() && !changedSince(state, plannedAt, StateTable.SERVICES,
                    StateTable.REPLICAS, StateTable.DEPLOYED, StateTable.HEALTH)) {
                plannedAt = state.index(); // nothing a service's placement depends on: no need to look at every service
                continue;
            }
            Collection<ServiceRecord> services = full ? state.services().values()
                    : withRefused(state, changedServices(state, plannedAt, nodeStatuses, nodesChanged), refused);
            refused.clear();
            if (full || nodesChanged) {
                nodeStatuses = statuses(state);
            }
            plannedAt = state.index();
            if (full) {
                lastFullPass = clock.instant();
            }
            services = withoutInFlight(services, inFlight, deferred);
            int planned = services.size();
            services = withoutPrimariesStillServing(state, services, fences.at(state, now), awaitingLease);
            if (services.isEmpty()) {
                continue;
            }
            PlacementPlan plan = planner.plan(full && services.size() == planned ? PlacementInputs.from(state)
                    : PlacementInputs.forServices(state, services, inFlight.loadByNode()));
            List<ClusterCommand.ApplyPlacement> commands = commandsFor(state, plan, services);
            commands.forEach(part -> inFlight.add(part, state));
            plans.put(commands);
            // Plan ahead of the applier by a bounded amount: what waits meanwhile is planned together, once.
            inFlight.awaitFewerThan(PARTS_AHEAD, LONGEST_WAIT_FOR_THE_APPLIER);
        }
    }

    /**
     * The services to plan now: those without parts in flight. The others are deferred until their parts are
     * answered, with every service sharing a SharedProcess activation with them, since such services are always
     * planned together.
     */
    private static Collection<ServiceRecord> withoutInFlight(Collection<ServiceRecord> services, PlacementsInFlight inFlight,
            Set<ServiceName> deferred) {
        Set<String> heldGroups = new HashSet<>();
        for (ServiceRecord s : services) {
            if (inFlight.holds(s.name())) {
                heldGroups.add(activationGroup(s));
            }
        }
        if (heldGroups.isEmpty()) {
            return services;
        }
        List<ServiceRecord> now = new ArrayList<>();
        for (ServiceRecord s : services) {
            if (inFlight.holds(s.name()) || heldGroups.contains(activationGroup(s))) {
                deferred.add(s.name());
            } else {
                now.add(s);
            }
        }
        return now;
    }

    /**
     * The services to plan now: those without a Primary on a Down node whose lease may still run. The others wait in
     * {@code awaitingLease} until the latest such lease among them has surely run out, with every service sharing a
     * SharedProcess activation with them.
     */
    private static Collection<ServiceRecord> withoutPrimariesStillServing(ClusterSnapshot state, Collection<ServiceRecord> services,
            Map<String, Instant> fenced, Map<ServiceName, Instant> awaitingLease) {
        if (fenced.isEmpty()) {
            return services;
        }
        Map<String, Instant> heldGroups = new HashMap<>();
        for (ServiceRecord s : services) {
            for (ReplicaRecord r : state.replicasOf(s.name())) {
                Instant until = fenced.get(r.node());
                if (until != null && r.role() == ReplicaRole.Primary) {
                    heldGroups.merge(activationGroup(s), until, (a, b) -> a.isAfter(b) ? a : b);
                }
            }
        }
        if (heldGroups.isEmpty()) {
            return services;
        }
        List<ServiceRecord> now = new ArrayList<>();
        for (ServiceRecord s : services) {
            Instant until = heldGroups.get(activationGroup(s));
            if (until == null) {
                now.add(s);
            } else {
                awaitingLease.merge(s.name(), until, (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        return now;
    }

    /** Services of one group share activations (SharedProcess services of one package); others are alone. */
    private static String activationGroup(ServiceRecord s) {
        return s.spec().activation() == ActivationMode.SHARED_PROCESS
                ? s.name().application() + "/" + s.servicePackage() : "service:" + s.name().uri();
    }

    /** The committer's loop: each plan in turn, until the controller stops. */
    private void commitPlans(LinkedBlockingQueue<List<ClusterCommand.ApplyPlacement>> plans, PlacementsInFlight inFlight,
            LinkedBlockingQueue<ServiceName> again) {
        try {
            while (true) {
                List<ClusterCommand.ApplyPlacement> plan = plans.take();
                try {
                    submit(plan, inFlight, again);
                } catch (RuntimeException e) {
                    // Never leave parts held: their services would not be planned again until the next leader.
                    LOG.error("committing a placement plan failed; its services are planned again", e);
                    for (ClusterCommand.ApplyPlacement part : plan) {
                        again.addAll(PlacementsInFlight.servicesOf(part));
                        inFlight.done(part);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the controller stopped: the parts not sent stay unsent
        }
    }

    private static Collection<ServiceRecord> withRefused(ClusterSnapshot state, Collection<ServiceRecord> changed,
            Set<ServiceName> refused) {
        if (refused.isEmpty()) {
            return changed;
        }
        Map<ServiceName, ServiceRecord> out = new TreeMap<>();
        changed.forEach(s -> out.put(s.name(), s));
        refused.forEach(name -> {
            ServiceRecord s = state.services().get(name);
            if (s != null) {
                out.put(name, s);
            }
        });
        return out.values();
    }

    /**
     * Commits the parts in order, {@link #PARTS_IN_FLIGHT} at a time, so that encoding and replicating the next
     * part overlaps applying this one; the services of the parts refused in whole or in part (and of every part
     * after one that failed) go to {@code again}, to be planned again, before their parts leave {@code inFlight}.
     */
    private void submit(List<ClusterCommand.ApplyPlacement> commands, PlacementsInFlight inFlight,
            LinkedBlockingQueue<ServiceName> again) throws InterruptedException {
        ArrayDeque<CompletableFuture<CommandResult>> sentParts = new ArrayDeque<>();
        int sent = 0;
        boolean failed = false;
        for (int done = 0; done < sent || (!failed && sent < commands.size()); ) {
            if (!failed && sent < commands.size() && sentParts.size() < PARTS_IN_FLIGHT) {
                sentParts.add(store.submitInBackground(commands.get(sent++), YIELD_TO_WRITES));
                continue;
            }
            ClusterCommand.ApplyPlacement command = commands.get(done++);
            try {
                CommandResult result = sentParts.remove().get();
                if (!result.applied()) {
                    LOG.warn("a placement plan was rejected: {}", result.message());
                    again.addAll(PlacementsInFlight.servicesOf(command));
                    failed = true;
                } else if (result.refused() > 0) {
                    LOG.info("placement at index {}: {}", result.index(), result.message());
                    again.addAll(PlacementsInFlight.servicesOf(command));
                }
            } catch (ExecutionException e) {
                LOG.warn("could not commit a placement plan: {}", e.getCause().toString());
                again.addAll(PlacementsInFlight.servicesOf(command));
                failed = true;
            } finally {
                inFlight.done(command);
            }
        }
        if (failed) {
            for (ClusterCommand.ApplyPlacement c : commands.subList(sent, commands.size())) {
                again.addAll(PlacementsInFlight.servicesOf(c));
                inFlight.done(c);
            }
        }
    }

    /**
     * What may need planning since index {@code since}: services whose record or replicas changed, and, when
     * nodes changed status (or came or went), the services with replicas on them, those waiting for room and
     * the one-per-node ones. Services sharing an activation with a planned one are planned with it, so the
     * shared activation's load is counted once.
     */
    static Collection<ServiceRecord> changedServices(ClusterSnapshot state, long since, Map<String, NodeStatus> before,
            boolean nodeTableChanged) {
        Map<ServiceName, ServiceRecord> out = new TreeMap<>();
        for (ServiceRecord s : state.services().values()) {
            // Not Watch.Service: that one moves with every part of this loop's own plans, which need no second look.
            if (state.modifyIndex(new Watch.ServiceInputs(s.name())) > since) {
                out.put(s.name(), s);
            }
        }
        Map<String, NodeStatus> now = nodeTableChanged ? statuses(state) : before;
        boolean nodesChanged = !now.equals(before);
        if (nodesChanged) {
            for (Map.Entry<String, NodeStatus> e : now.entrySet()) {
                if (e.getValue() != before.get(e.getKey())) {
                    for (ReplicaRecord r : state.replicasOn(e.getKey())) {
                        ServiceRecord s = state.services().get(r.service());
                        if (s != null) {
                            out.put(s.name(), s);
                        }
                    }
                }
            }
            for (ServiceRecord s : state.services().values()) {
                if (s.placementProblem() != null || s.spec().instanceCount() == -1) {
                    out.put(s.name(), s);
                }
            }
        }
        for (ServiceRecord s : List.copyOf(out.values())) {
            if (s.spec().activation() == ActivationMode.SHARED_PROCESS) {
                for (ServiceRecord other : state.servicesOf(s.name().application())) {
                    if (other.servicePackage().equals(s.servicePackage())
                            && other.spec().activation() == ActivationMode.SHARED_PROCESS) {
                        out.put(other.name(), other);
                    }
                }
            }
        }
        return out.values();
    }

    private static boolean changedSince(ClusterSnapshot state, long since, StateTable... tables) {
        for (StateTable t : tables) {
            if (state.modifyIndex(new Watch.Table(t)) > since) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, NodeStatus> statuses(ClusterSnapshot state) {
        Map<String, NodeStatus> out = new HashMap<>();
        for (NodeRecord n : state.nodes().values()) {
            out.put(n.name(), n.status());
        }
        return out;
    }

    /**
     * The plan as commands of at most {@link #CHANGES_PER_COMMAND} changes, a partition's changes always in the
     * same one (a promotion never lands apart from the removal of the Primary it replaces); placement problems
     * of the planned services ride with the first, and only where they differ from what the state says.
     */
    List<ClusterCommand.ApplyPlacement> commandsFor(ClusterSnapshot state, PlacementPlan plan, Collection<ServiceRecord> planned) {
        Map<UUID, PartitionChanges> byPartition = new LinkedHashMap<>();
        for (ReplicaPlacement p : plan.placements()) {
            ServiceRecord s = state.services().get(p.service());
            String activationId = s.spec().activation() == ActivationMode.EXCLUSIVE_PROCESS ? activationIds.get() : "";
            byPartition.computeIfAbsent(p.partitionId(), k -> new PartitionChanges()).placements
                    .add(new ClusterCommand.NewReplica(p.service(), p.partitionId(), p.node(), p.role(), activationId));
        }
        for (ReplicaRemoval r : plan.removals()) {
            ReplicaRecord replica = state.replicas().get(r.replicaId());
            UUID partition = replica == null ? new UUID(0, r.replicaId()) : replica.partitionId();
            byPartition.computeIfAbsent(partition, k -> new PartitionChanges()).removals
                    .add(new ClusterCommand.Removal(r.replicaId(), r.reason()));
        }
        for (RoleChange c : plan.roleChanges()) {
            ReplicaRecord replica = state.replicas().get(c.replicaId());
            UUID partition = replica == null ? new UUID(0, c.replicaId()) : replica.partitionId();
            byPartition.computeIfAbsent(partition, k -> new PartitionChanges()).roles
                    .add(new ClusterCommand.RoleAssignment(c.replicaId(), c.newRole()));
        }
        Instant at = clock.instant();
        List<ClusterCommand.ApplyPlacement> out = new ArrayList<>();
        PartitionChanges part = new PartitionChanges();
        for (PartitionChanges changes : byPartition.values()) {
            if (part.size() > 0 && part.size() + changes.size() > CHANGES_PER_COMMAND) {
                out.add(part.command(state.index(), out.isEmpty() ? problems(plan, planned) : Map.of(), at));
                part = new PartitionChanges();
            }
            part.addAll(changes);
        }
        Map<ServiceName, String> problems = out.isEmpty() ? problems(plan, planned) : Map.of();
        if (part.size() > 0 || !problems.isEmpty()) {
            out.add(part.command(state.index(), problems, at));
        }
        return out;
    }

    private static Map<ServiceName, String> problems(PlacementPlan plan, Collection<ServiceRecord> planned) {
        Map<ServiceName, List<String>> failures = new HashMap<>();
        for (PlacementFailure f : plan.failures()) {
            failures.computeIfAbsent(f.service(), k -> new ArrayList<>()).add("partition " + f.partitionId() + ": " + f.reason());
        }
        Map<ServiceName, String> problems = new HashMap<>();
        for (ServiceRecord s : planned) {
            List<String> reasons = failures.get(s.name());
            String problem = reasons == null ? "" : reasons.size() == 1 ? reasons.get(0)
                    : reasons.get(0) + " (and " + (reasons.size() - 1) + " more partition(s))";
            String current = s.placementProblem() == null ? "" : s.placementProblem();
            if (!problem.equals(current)) {
                problems.put(s.name(), problem);
            }
        }
        return problems;
    }

    /** The changes of one or more partitions, as they go into one command. */
    private static final class PartitionChanges {
        final List<ClusterCommand.NewReplica> placements = new ArrayList<>();
        final List<ClusterCommand.Removal> removals = new ArrayList<>();
        final List<ClusterCommand.RoleAssignment> roles = new ArrayList<>();

        int size() {
            return placements.size() + removals.size() + roles.size();
        }

        void addAll(PartitionChanges other) {
            placements.addAll(other.placements);
            removals.addAll(other.removals);
            roles.addAll(other.roles);
        }

        ClusterCommand.ApplyPlacement command(long basedOn, Map<ServiceName, String> problems, Instant at) {
            return new ClusterCommand.ApplyPlacement(basedOn, placements, removals, roles, problems, at);
        }
    }
}
