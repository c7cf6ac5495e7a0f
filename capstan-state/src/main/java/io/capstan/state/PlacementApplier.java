package io.capstan.state;

import io.capstan.model.ActivationMode;
import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.health.HealthEntity;
import io.capstan.state.ClusterCommand.ApplyPlacement;
import io.capstan.state.ClusterCommand.NewReplica;
import io.capstan.state.ClusterCommand.PlacementCommand;
import io.capstan.state.ClusterCommand.Removal;
import io.capstan.state.ClusterCommand.RoleAssignment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The plan applier, after Nomad's: a plan was computed at some earlier index, so each of its placements is
 * checked again against the state it is applied to (service and partition still there, node still Up, no
 * other replica of the partition on the node, the node's capacity) and the parts that no longer fit are
 * refused, never applied blindly. Removals go first, so the load they free counts for the placements.
 */
final class PlacementApplier implements CommandHandler<PlacementCommand> {

    /** Above this many placements (or removals) of a service in one command, it gets one summary event. */
    private static final int EVENTS_PER_REPLICA_UP_TO = 200;
    private static final double EPSILON = 1e-9;

    private final StateLimits limits;

    PlacementApplier(StateLimits limits) {
        this.limits = limits;
    }

    @Override
    public Rejection check(StateChange state, PlacementCommand command) {
        ApplyPlacement c = (ApplyPlacement) command;
        int size = c.placements().size() + c.removals().size() + c.roleChanges().size();
        if (size > limits.maxPlacementsPerCommand()) {
            return Rejection.invalid("placements: " + size + " changes in one command is more than "
                    + limits.maxPlacementsPerCommand() + "; split the plan");
        }
        for (NewReplica p : c.placements()) {
            if (p == null || p.service() == null || p.partitionId() == null || p.node() == null || p.role() == null
                    || p.activationId() == null) {
                return Rejection.invalid("placements: every placement needs service, partitionId, node, role and activationId");
            }
        }
        for (Removal r : c.removals()) {
            if (r == null || r.reason() == null) {
                return Rejection.invalid("removals: every removal needs a replicaId and a reason");
            }
        }
        for (RoleAssignment r : c.roleChanges()) {
            if (r == null || r.role() == null) {
                return Rejection.invalid("roleChanges: every role change needs a replicaId and a role");
            }
        }
        for (var e : c.problems().entrySet()) {
            if (e.getValue() == null || e.getValue().length() > limits.maxTextChars()) {
                return Rejection.invalid("problems." + e.getKey() + ": needs a text of at most " + limits.maxTextChars() + " characters");
            }
        }
        return null;
    }

    @Override
    public void apply(StateChange state, PlacementCommand command) {
        ApplyPlacement c = (ApplyPlacement) command;
        state.markByPlanApplier();
        Set<String> touchedNodes = new LinkedHashSet<>();
        List<ReplicaRecord> removed = new ArrayList<>();
        for (Removal removal : c.removals()) {
            ReplicaRecord r = state.removeReplica(removal.replicaId());
            if (r != null) {
                removed.add(r);
                touchedNodes.add(r.node());
                state.dropHealth(e -> e instanceof HealthEntity.Replica x && x.replicaId() == r.id());
            }
        }

        Map<String, Integer> refusals = new TreeMap<>();
        Map<ServiceName, List<ReplicaRecord>> placed = new TreeMap<>();
        Map<UUID, String> movedTo = new HashMap<>();
        Map<ServiceName, ServiceRecord> services = new HashMap<>();
        // A partition's placements come one after another (the controller keeps them in one part): it is looked up
        // once, with the nodes its replicas are on, which grow as its placements are applied.
        UUID partitionId = null;
        PartitionRef partition = null;
        Set<String> partitionNodes = new HashSet<>();
        for (NewReplica p : c.placements()) {
            ServiceRecord s = services.computeIfAbsent(p.service(), state::service);
            if (!p.partitionId().equals(partitionId)) {
                partitionId = p.partitionId();
                partition = state.partition(partitionId);
                partitionNodes.clear();
                state.replicasOfPartition(partitionId).forEach(r -> partitionNodes.add(r.node()));
            }
            NodeRecord node = state.node(p.node());
            String refusal = refusal(state, p, s, partition, node, partitionNodes);
            if (refusal != null) {
                refusals.merge(refusal, 1, Integer::sum);
                continue;
            }
            partitionNodes.add(node.name());
            ReplicaRecord r = new ReplicaRecord(state.takeReplicaId(), s.name(), partition.partition().id(), node.name(),
                    p.role(), ReplicaStatus.InBuild, p.activationId().isEmpty() ? "" : p.activationId());
            state.putReplica(ReplicaDerivation.derive(state, r));
            placed.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(r);
            movedTo.putIfAbsent(r.partitionId(), r.node());
        }
        placed.forEach((service, replicas) -> {
            if (replicas.size() <= EVENTS_PER_REPLICA_UP_TO) {
                replicas.forEach(r -> state.event(c.at(), "ReplicaPlaced", ReplicaDerivation.replicaEntity(r),
                        "on " + r.node() + ReplicaDerivation.roleText(r.role())));
            } else {
                state.event(c.at(), "ReplicasPlaced", service.uri(), replicas.size() + " replicas on "
                        + replicas.stream().map(ReplicaRecord::node).distinct().count() + " node(s)");
            }
        });
        removalEvents(state, c, removed, movedTo);

        for (RoleAssignment a : c.roleChanges()) {
            ReplicaRecord r = state.replica(a.replicaId());
            ServiceRecord s = r == null ? null : state.service(r.service());
            if (r == null || s == null || r.role() == a.role() || !roleFits(s, a.role())) {
                continue;
            }
            state.putReplica(r.withRole(a.role()));
            state.event(c.at(), a.role() == ReplicaRole.Primary ? "PrimaryChanged" : "ReplicaRoleChanged",
                    ReplicaDerivation.replicaEntity(r), r.role() + " -> " + a.role() + " on " + r.node());
        }
        c.problems().forEach((name, problem) -> {
            ServiceRecord s = state.service(name);
            if (s == null) {
                return;
            }
            String newProblem = problem.isEmpty() ? null : problem;
            if (!Objects.equals(s.placementProblem(), newProblem)) {
                state.putService(s.withPlacementProblem(newProblem));
                if (newProblem != null) {
                    state.event(c.at(), "PlacementFailed", name.uri(), newProblem);
                }
            }
        });
        ReplicaDerivation.finishDrains(state, touchedNodes, c.at());
        int refused = refusals.values().stream().mapToInt(Integer::intValue).sum();
        if (refused > 0) {
            StringBuilder note = new StringBuilder("refused " + refused + " of " + c.placements().size()
                    + " placement(s) that no longer fit the state: ");
            refusals.forEach((why, n) -> note.append(why).append(" (").append(n).append("); "));
            state.noteRefused(refused, note.substring(0, note.length() - 2));
        }
    }

    /** Why a placement no longer fits, or null when it does. */
    private static String refusal(StateChange state, NewReplica p, ServiceRecord s, PartitionRef partition, NodeRecord node,
            Set<String> partitionNodes) {
        if (s == null) {
            return "service gone";
        }
        if (partition == null || !partition.service().equals(s.name())) {
            return "partition gone";
        }
        if (node == null || node.status() != NodeStatus.Up) {
            return "node not Up";
        }
        if (!roleFits(s, p.role())) {
            return "role does not fit the service kind";
        }
        boolean exclusive = s.spec().activation() == ActivationMode.EXCLUSIVE_PROCESS;
        if (exclusive == p.activationId().isEmpty() || p.activationId().length() > 64) {
            return "activation id does not fit the activation mode";
        }
        if (partitionNodes.contains(p.node())) {
            return "partition already has a replica on the node";
        }
        Map<String, Double> load = state.loadOf(s);
        NodeUsage used = state.usageOn(node.name());
        ActivationKey activation = new ActivationKey(s.name().application(), s.servicePackage(), p.activationId());
        // An ExclusiveProcess activation id is drawn fresh for each placement, so only a shared one can be there already.
        if (exclusive || !used.hosts(activation)) {
            for (var cap : node.description().capacities().entrySet()) {
                double need = load.getOrDefault(cap.getKey(), 0.0);
                if (need > 0 && used.used(cap.getKey()) + need > cap.getValue() + EPSILON) {
                    return "node has no room for " + cap.getKey();
                }
            }
        }
        return null;
    }

    private static boolean roleFits(ServiceRecord s, ReplicaRole role) {
        return s.spec().kind() == ServiceKind.STATELESS ? role == ReplicaRole.None : role != ReplicaRole.None;
    }

    private static void removalEvents(StateChange state, ApplyPlacement c, List<ReplicaRecord> removed, Map<UUID, String> movedTo) {
        Map<ServiceName, List<ReplicaRecord>> byService = new TreeMap<>();
        removed.forEach(r -> byService.computeIfAbsent(r.service(), k -> new ArrayList<>()).add(r));
        Map<Long, String> reasons = new HashMap<>();
        c.removals().forEach(x -> reasons.put(x.replicaId(), x.reason()));
        byService.forEach((service, replicas) -> {
            if (replicas.size() > EVENTS_PER_REPLICA_UP_TO) {
                state.event(c.at(), "ReplicasRemoved", service.uri(), replicas.size() + " replicas: "
                        + reasons.get(replicas.get(0).id()));
                return;
            }
            for (ReplicaRecord r : replicas) {
                // A partition that lost a replica and gained one on another node in the same plan moved it.
                String to = movedTo.get(r.partitionId());
                boolean moved = to != null && !to.equals(r.node());
                state.event(c.at(), moved ? "ReplicaMoved" : "ReplicaRemoved", ReplicaDerivation.replicaEntity(r),
                        "from " + r.node() + (moved ? " to " + to : "") + ": " + reasons.get(r.id()));
            }
        });
    }
}
