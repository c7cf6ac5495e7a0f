package io.capstan.server.control;

import io.capstan.model.ActivationMode;
import io.capstan.model.ServiceKind;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.PartitionRecord;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.manifest.ResourceRequest;
import io.capstan.placement.ExistingReplica;
import io.capstan.placement.NodeCandidate;
import io.capstan.placement.PartitionDemand;
import io.capstan.placement.PlacementProblem;
import io.capstan.state.ClusterSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Translates a state snapshot into the placement pipeline's input: nodes as candidates, partitions as demands.
 *
 * <p>Node status: Up nodes are eligible; Disabling nodes are draining (their replicas stay until replaced);
 * Down and Disabled nodes are neither. A replica is healthy unless it is Down (its node is down, or its code
 * crash-looped past its restart policy) or its node is unknown or Down: a lost replica is removed and replaced,
 * and if it was the Primary, a secondary is promoted, all in the next plan.
 */
public final class PlacementInputs {

    private PlacementInputs() {
    }

    public static PlacementProblem from(ClusterSnapshot state) {
        List<NodeCandidate> nodes = new ArrayList<>();
        for (NodeRecord n : state.nodes().values()) {
            nodes.add(new NodeCandidate(n.name(), n.description().faultDomain(), n.description().upgradeDomain(),
                    n.description().capacities(), n.description().properties(), n.status() == NodeStatus.Up,
                    n.status() == NodeStatus.Disabling));
        }
        Map<UUID, List<ExistingReplica>> existing = new HashMap<>();
        for (ReplicaRecord r : state.replicas().values()) {
            NodeRecord node = state.nodes().get(r.node());
            boolean healthy = node != null && node.status() != NodeStatus.Down && r.status() != ReplicaStatus.Down;
            // Nothing reports a replica's progress yet (the SDK will): 0 leaves failover to readiness, then replica id.
            existing.computeIfAbsent(r.partitionId(), k -> new ArrayList<>())
                    .add(new ExistingReplica(r.id(), r.node(), r.role(), healthy, r.status() == ReplicaStatus.Ready, 0));
        }
        List<PartitionDemand> demands = new ArrayList<>();
        for (ServiceRecord s : state.services().values()) {
            ApplicationRecord app = state.applications().get(s.name().application());
            if (app == null) {
                continue;
            }
            ResourceRequest load = state.applicationType(app.typeName(), app.typeVersion())
                    .flatMap(t -> t.manifest().servicePackage(s.servicePackage()))
                    .map(p -> p.totalResources()).orElse(ResourceRequest.NONE);
            Map<String, Double> loadMap = Map.of("cpu", load.cpu(), "memoryMiB", (double) load.memoryMiB());
            String group = s.spec().activation() == ActivationMode.SHARED_PROCESS
                    ? app.name() + "/" + s.servicePackage() : null;
            int target = s.spec().replicasPerPartition(-1);
            for (PartitionRecord p : s.partitions()) {
                demands.add(new PartitionDemand(s.name(), p.id(), s.spec().kind(), target, s.spec().placementConstraints(),
                        group, loadMap, existing.getOrDefault(p.id(), List.of()),
                        s.spec().kind() == ServiceKind.STATEFUL ? s.spec().minReplicaSetSize() : 0));
            }
        }
        return new PlacementProblem(nodes, demands);
    }
}
