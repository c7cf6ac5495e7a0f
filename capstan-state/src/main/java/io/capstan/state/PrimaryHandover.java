package io.capstan.state;

import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.cluster.ServiceRecord;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * Before an upgrade domain's processes stop, each Primary there is swapped with a Ready secondary outside the
 * domain, in the same commit, as a node being disabled hands its Primaries over: a planned swap loses nothing,
 * while stopping the Primary would be a failover. A partition with no Ready secondary elsewhere keeps its Primary
 * (the upgrade's safety check waits for one before the domain starts).
 */
final class PrimaryHandover {

    private PrimaryHandover() {
    }

    static void outOf(StateChange state, String application, String upgradeDomain, Instant at) {
        Set<String> domainNodes = nodesOf(state, upgradeDomain);
        for (ServiceName name : state.servicesOf(application)) {
            ServiceRecord s = state.service(name);
            if (s.spec().kind() != ServiceKind.STATEFUL) {
                continue;
            }
            for (ReplicaRecord r : state.replicasOfService(name)) {
                if (r.role() != ReplicaRole.Primary || !domainNodes.contains(r.node())) {
                    continue;
                }
                ReplicaRecord successor = null;
                for (ReplicaRecord other : state.replicasOfPartition(r.partitionId())) {
                    NodeRecord node = state.node(other.node());
                    boolean fit = other.role() == ReplicaRole.ActiveSecondary && other.status() == ReplicaStatus.Ready
                            && !domainNodes.contains(other.node()) && node != null && node.status() == NodeStatus.Up;
                    if (fit && (successor == null || other.id() < successor.id())) {
                        successor = other;
                    }
                }
                if (successor != null) {
                    state.putReplica(r.withRole(ReplicaRole.ActiveSecondary));
                    state.putReplica(successor.withRole(ReplicaRole.Primary));
                    state.event(at, "PrimaryChanged", ReplicaDerivation.replicaEntity(successor), "ActiveSecondary -> Primary on "
                            + successor.node() + ": replica " + r.id() + " on " + r.node() + " handed over for the upgrade");
                }
            }
        }
    }

    /** The names of the nodes in {@code upgradeDomain}. */
    static Set<String> nodesOf(StateChange state, String upgradeDomain) {
        Set<String> out = new HashSet<>();
        for (NodeRecord n : state.nodes()) {
            if (n.description().upgradeDomain().equals(upgradeDomain)) {
                out.add(n.name());
            }
        }
        return out;
    }
}
