package io.capstan.server.upgrade;

import io.capstan.model.ServiceKind;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.PartitionRecord;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.state.ClusterSnapshot;

/**
 * Service Fabric's upgrade safety check for stateful services: a domain may go down only if every partition with
 * a replica there keeps at least {@code minReplicaSetSize} Ready replicas on Up nodes outside it, so the upgrade
 * never costs a partition its quorum (and always leaves a Ready secondary to hand the Primary to).
 */
final class UpgradeSafetyCheck {

    private UpgradeSafetyCheck() {
    }

    /** The first partition the domain would leave short, as an operator should read it; null when it is safe. */
    static String unsafe(ClusterSnapshot state, String application, String domain) {
        for (ServiceRecord s : state.servicesOf(application)) {
            if (s.spec().kind() != ServiceKind.STATEFUL) {
                continue;
            }
            for (PartitionRecord p : s.partitions()) {
                int inDomain = 0;
                int readyElsewhere = 0;
                for (ReplicaRecord r : state.replicasOfPartition(p.id())) {
                    NodeRecord n = state.nodes().get(r.node());
                    if (n == null) {
                        continue;
                    }
                    if (n.description().upgradeDomain().equals(domain)) {
                        inDomain++;
                    } else if (n.status() == NodeStatus.Up && r.status() == ReplicaStatus.Ready) {
                        readyElsewhere++;
                    }
                }
                int needed = Math.max(1, s.spec().minReplicaSetSize());
                if (inDomain > 0 && readyElsewhere < needed) {
                    return "partition " + p.key() + " of " + s.name().shortName() + " would keep " + readyElsewhere
                            + " Ready replica(s) outside domain " + domain + "; minReplicaSetSize is " + needed;
                }
            }
        }
        return null;
    }
}
