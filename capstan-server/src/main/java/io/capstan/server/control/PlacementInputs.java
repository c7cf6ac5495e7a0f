package io.capstan.server.control;

import io.capstan.model.ActivationMode;
import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.PartitionRecord;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.placement.ExistingReplica;
import io.capstan.placement.NodeCandidate;
import io.capstan.placement.PartitionDemand;
import io.capstan.placement.PlacementProblem;
import io.capstan.state.ActivationUse;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.NodeUsage;
import io.capstan.state.ServiceLoads;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Translates a state snapshot into the placement pipeline's input: nodes as candidates, partitions as demands.
 * Either the whole cluster, or only some services: then every node's capacity is what the other services'
 * replicas leave free, so an incremental plan can never over-commit a node.
 *
 * <p>Node status: Up nodes are eligible; Disabling nodes are draining (their replicas stay until replaced);
 * Down and Disabled nodes are neither. A replica is healthy unless it is Down (its node is down, or its code
 * crash-looped past its restart policy) or its node is unknown or Down: a lost replica is removed and replaced,
 * and if it was the Primary, a secondary is promoted, all in the next plan.
 */
public final class PlacementInputs {

    private PlacementInputs() {
    }

    /** Every service of the cluster. */
    public static PlacementProblem from(ClusterSnapshot state) {
        return from(state, state.services().values(), false);
    }

    /** Only these services; the others' replicas count as load already on the nodes. */
    public static PlacementProblem forServices(ClusterSnapshot state, Collection<ServiceRecord> services) {
        return forServices(state, services, Map.of());
    }

    /**
     * Only these services; the others' replicas count as load already on the nodes, and so does {@code pending}
     * (per node and metric: what placements submitted but not yet applied will use).
     */
    public static PlacementProblem forServices(ClusterSnapshot state, Collection<ServiceRecord> services,
            Map<String, Map<String, Double>> pending) {
        return from(state, services, true, pending);
    }

    private static PlacementProblem from(ClusterSnapshot state, Collection<ServiceRecord> services, boolean partial) {
        return from(state, services, partial, Map.of());
    }

    private static PlacementProblem from(ClusterSnapshot state, Collection<ServiceRecord> services, boolean partial,
            Map<String, Map<String, Double>> pending) {
        Map<ServiceName, Map<String, Double>> loads = new HashMap<>();
        Map<String, Set<ActivationKey>> plannedActivations = new HashMap<>();
        if (partial) {
            for (ServiceRecord s : services) {
                for (ReplicaRecord r : state.replicasOf(s.name())) {
                    plannedActivations.computeIfAbsent(r.node(), k -> new HashSet<>())
                            .add(new ActivationKey(r.service().application(), s.servicePackage(), r.activationId()));
                }
            }
        }
        List<NodeCandidate> nodes = new ArrayList<>();
        for (NodeRecord n : state.nodes().values()) {
            Map<String, Double> capacity = partial ? capacityLeft(state, n, plannedActivations, pending.getOrDefault(n.name(), Map.of()))
                    : n.description().capacities();
            nodes.add(new NodeCandidate(n.name(), n.description().faultDomain(), n.description().upgradeDomain(),
                    capacity, n.description().properties(), n.status() == NodeStatus.Up,
                    n.status() == NodeStatus.Disabling));
        }
        List<PartitionDemand> demands = new ArrayList<>();
        for (ServiceRecord s : services) {
            ApplicationRecord app = state.applications().get(s.name().application());
            if (app == null) {
                continue;
            }
            Map<String, Double> load = loads.computeIfAbsent(s.name(), k -> ServiceLoads.of(state, s));
            String group = s.spec().activation() == ActivationMode.SHARED_PROCESS
                    ? app.name() + "/" + s.servicePackage() : null;
            int target = s.spec().replicasPerPartition(-1);
            for (PartitionRecord p : s.partitions()) {
                List<ExistingReplica> existing = new ArrayList<>();
                for (ReplicaRecord r : state.replicasOfPartition(p.id())) {
                    NodeRecord node = state.nodes().get(r.node());
                    boolean healthy = node != null && node.status() != NodeStatus.Down && r.status() != ReplicaStatus.Down;
                    // Nothing reports a replica's progress yet (the SDK will): 0 leaves failover to readiness, then id.
                    existing.add(new ExistingReplica(r.id(), r.node(), r.role(), healthy, r.status() == ReplicaStatus.Ready, 0));
                }
                demands.add(new PartitionDemand(s.name(), p.id(), s.spec().kind(), target, s.spec().placementConstraints(),
                        group, load, existing, s.spec().kind() == ServiceKind.STATEFUL ? s.spec().minReplicaSetSize() : 0));
            }
        }
        return new PlacementProblem(nodes, demands);
    }

    /**
     * A node's capacity less what the replicas of services not being planned use, and what pending placements
     * will: the node's usage (an index of the state) with the activations of the planned services' replicas on it
     * given back. Services sharing a SharedProcess activation are always planned together, so an activation
     * belongs wholly to one side.
     */
    private static Map<String, Double> capacityLeft(ClusterSnapshot state, NodeRecord n,
            Map<String, Set<ActivationKey>> plannedActivations, Map<String, Double> pending) {
        Map<String, Double> capacity = n.description().capacities();
        if (capacity.isEmpty()) {
            return capacity;
        }
        NodeUsage usage = state.usageOn(n.name());
        Map<String, Double> left = new HashMap<>();
        capacity.forEach((metric, cap) -> left.put(metric, cap - usage.used(metric) - pending.getOrDefault(metric, 0.0)));
        for (ActivationKey key : plannedActivations.getOrDefault(n.name(), Set.of())) {
            ActivationUse use = usage.activations().get(key);
            if (use != null) {
                use.load().forEach((metric, value) -> left.computeIfPresent(metric, (k, v) -> v + value));
            }
        }
        left.replaceAll((metric, v) -> Math.max(0, v));
        return left;
    }
}
