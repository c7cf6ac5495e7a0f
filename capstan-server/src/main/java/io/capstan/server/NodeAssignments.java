package io.capstan.server;

import io.capstan.model.ActivationMode;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.ApplicationVersion;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.PartitionRecord;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.manifest.ParameterSubstitution;
import io.capstan.model.manifest.ServicePackageManifest;
import io.capstan.model.wire.AssignedReplica;
import io.capstan.model.wire.NodeAssignment;
import io.capstan.model.wire.ServicePackageActivation;
import io.capstan.state.ClusterSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one node must run, derived from the state: its replicas grouped into activations by
 * (application, service package, activation id), as seed 004 describes: one shared activation per
 * application and package, one per replica for ExclusiveProcess.
 */
public final class NodeAssignments {

    private NodeAssignments() {
    }

    public static NodeAssignment forNode(ClusterSnapshot state, String node) {
        Map<ActivationKey, List<ReplicaRecord>> byActivation = new TreeMap<>();
        for (ReplicaRecord r : state.replicasOn(node)) {
            ServiceRecord s = state.services().get(r.service());
            if (s == null) {
                continue;
            }
            byActivation.computeIfAbsent(new ActivationKey(r.service().application(), s.servicePackage(), r.activationId()),
                    k -> new ArrayList<>()).add(r);
        }
        List<ServicePackageActivation> activations = new ArrayList<>();
        NodeRecord nodeRecord = state.nodes().get(node);
        String upgradeDomain = nodeRecord == null ? "" : nodeRecord.description().upgradeDomain();
        // A node hosts many activations of one application: its revision (a digest of the parameters) is computed once.
        Map<ApplicationVersion, String> revisions = new java.util.HashMap<>();
        byActivation.forEach((key, replicas) -> {
            ApplicationRecord app = state.applications().get(key.application());
            // During an upgrade the node runs the version its upgrade domain is on.
            ApplicationVersion version = app == null ? null : app.versionIn(upgradeDomain);
            ApplicationTypeRecord type = app == null ? null
                    : state.applicationType(app.typeName(), version.typeVersion()).orElse(null);
            if (type == null) {
                return;
            }
            ServicePackageManifest pkg = type.manifest().servicePackage(key.servicePackage()).orElseThrow();
            List<AssignedReplica> assigned = replicas.stream().map(r -> {
                ServiceRecord s = state.services().get(r.service());
                PartitionRecord p = state.partition(r.partitionId()).orElseThrow().partition();
                return new AssignedReplica(r.id(), r.service(), s.spec().serviceType(), r.partitionId(), p.key(), r.role());
            }).toList();
            ActivationMode mode = key.activationId().isEmpty() ? ActivationMode.SHARED_PROCESS : ActivationMode.EXCLUSIVE_PROCESS;
            activations.add(new ServicePackageActivation(app.name(), type.name(), type.version(), type.packageDigest(),
                    key.activationId(), mode, ParameterSubstitution.resolve(pkg, version.parameters()), assigned,
                    revisions.computeIfAbsent(version, ApplicationVersion::revision)));
        });
        return new NodeAssignment(node, state.index(), activations);
    }
}
