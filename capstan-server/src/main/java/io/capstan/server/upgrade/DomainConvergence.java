package io.capstan.server.upgrade;

import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.DeployedServicePackage.ActivationState;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.state.ClusterSnapshot;

/**
 * Whether the Up nodes of one upgrade domain run an application revision: every replica of the application there
 * is hosted by a package its agent reports Active on that revision, and is Ready. Down nodes are left out: their
 * replicas are failing over, and whatever replaces them runs the version of the domain it lands in.
 */
final class DomainConvergence {

    private DomainConvergence() {
    }

    /** The first thing not yet on {@code revision}, as an operator should read it; null when the domain converged. */
    static String missing(ClusterSnapshot state, String application, String domain, String revision) {
        for (NodeRecord n : state.nodes().values()) {
            if (!n.description().upgradeDomain().equals(domain) || n.status() == NodeStatus.Down) {
                continue;
            }
            for (ReplicaRecord r : state.replicasOn(n.name())) {
                if (!r.service().application().equals(application)) {
                    continue;
                }
                ServiceRecord s = state.services().get(r.service());
                if (s == null) {
                    continue;
                }
                String what = "replica " + r.id() + " of " + r.service().shortName() + " on " + n.name();
                DeployedServicePackage d = state.deployed(n.name(),
                        new ActivationKey(application, s.servicePackage(), r.activationId())).orElse(null);
                if (d == null) {
                    return what + ": its package " + s.servicePackage() + " is not reported yet";
                }
                if (!d.revision().equals(revision)) {
                    return what + ": package " + s.servicePackage() + " still runs " + shown(d.revision()) + ", not " + revision;
                }
                if (d.state() != ActivationState.Active) {
                    return what + ": package " + s.servicePackage() + " is " + d.state();
                }
                if (r.status() != ReplicaStatus.Ready) {
                    return what + " is " + r.status() + ", not Ready";
                }
            }
        }
        return null;
    }

    private static String shown(String revision) {
        return revision.isEmpty() ? "an unknown revision" : revision;
    }
}
