package io.capstan.server;

import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.placement.NodeCandidate;
import io.capstan.placement.PlacementConstraint;
import io.capstan.state.ClusterSnapshot;

/** How many replicas each partition of a service should have, as views and health both count them. */
public final class ReplicaTargets {

    private ReplicaTargets() {
    }

    /** The replica set size, or for instanceCount -1 the Up nodes that meet the service's constraint. */
    public static int perPartition(ClusterSnapshot s, ServiceRecord svc) {
        int explicit = svc.spec().replicasPerPartition(-1);
        if (explicit != -1) {
            return explicit;
        }
        PlacementConstraint constraint = svc.spec().placementConstraints().isBlank() ? PlacementConstraint.NONE
                : PlacementConstraint.parse(svc.spec().placementConstraints());
        return (int) s.nodes().values().stream().filter(n -> n.status() == NodeStatus.Up)
                .filter(n -> constraint.test(candidate(n))).count();
    }

    private static NodeCandidate candidate(NodeRecord n) {
        return new NodeCandidate(n.name(), n.description().faultDomain(), n.description().upgradeDomain(),
                n.description().capacities(), n.description().properties(), n.status() == NodeStatus.Up);
    }
}
