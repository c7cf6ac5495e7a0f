package io.capstan.state;

import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.cluster.ServiceRecord;
import java.time.Instant;
import java.util.Collection;

/**
 * What several command groups derive the same way: a replica's status from its node and the activation
 * hosting it, and a Disabling node turning Disabled once it is empty. Pure functions over a {@link StateChange}.
 */
final class ReplicaDerivation {

    private ReplicaDerivation() {
    }

    /** The activation that hosts a replica of a service on its node. */
    static ActivationKey activationOf(ServiceRecord s, ReplicaRecord r) {
        return new ActivationKey(r.service().application(), s.servicePackage(), r.activationId());
    }

    /**
     * Down when its node is Down or its activation Failed (a crash loop past the restart policy's limit);
     * Ready when the activation hosting it is Active, reports hosting it, and every code package is ready
     * (passing its readiness probe); InBuild otherwise.
     */
    static ReplicaRecord derive(StateChange state, ReplicaRecord r) {
        ServiceRecord s = state.service(r.service());
        if (s == null) {
            return r;
        }
        NodeRecord node = state.node(r.node());
        if (node == null || node.status() == NodeStatus.Down) {
            return r.withStatus(ReplicaStatus.Down);
        }
        DeployedServicePackage d = state.deployed(r.node(), activationOf(s, r));
        if (d != null && d.state() == DeployedServicePackage.ActivationState.Failed) {
            return r.withStatus(ReplicaStatus.Down);
        }
        boolean ready = d != null && d.state() == DeployedServicePackage.ActivationState.Active
                && d.replicaIds().contains(r.id())
                && d.codePackages().stream().allMatch(CodePackageStatus::ready);
        return r.withStatus(ready ? ReplicaStatus.Ready : ReplicaStatus.InBuild);
    }

    /** Re-derives the status of every replica on a node (from the by-node index), with an event per change. */
    static void rederiveReplicasOn(StateChange state, String node, Instant at) {
        for (ReplicaRecord r : state.replicasOn(node)) {
            ReplicaRecord updated = derive(state, r);
            if (updated.status() != r.status()) {
                state.putReplica(updated);
                state.event(at, "Replica" + updated.status(), replicaEntity(r), "on " + node);
            }
        }
    }

    /** Each of these nodes that is Disabling and holds no replica any more is Disabled. */
    static void finishDrains(StateChange state, Collection<String> nodes, Instant at) {
        for (String name : nodes) {
            NodeRecord n = state.node(name);
            if (n != null && n.status() == NodeStatus.Disabling && !state.hasReplicasOn(name)) {
                state.putNode(n.withStatus(NodeStatus.Disabled, at, "drained; intent " + n.disableIntent()));
                state.event(at, "NodeDisabled", name, "no replicas left; intent " + n.disableIntent());
            }
        }
    }

    static String replicaEntity(ReplicaRecord r) {
        return r.service().uri() + "/" + r.partitionId() + "/" + r.id();
    }

    static String activationEntity(String node, ActivationKey k) {
        return node + "/" + k.application() + "/" + k.servicePackage() + (k.activationId().isEmpty() ? "" : "/" + k.activationId());
    }

    static String roleText(ReplicaRole role) {
        return role == ReplicaRole.None ? "" : " as " + role;
    }
}
