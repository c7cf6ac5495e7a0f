package io.capstan.model.wire;

import io.capstan.model.ActivationMode;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.manifest.ServicePackageManifest;
import java.util.List;
import java.util.Map;

/**
 * One activation a node must hold: the service package (parameters already substituted), where to
 * fetch its content ({@code packageDigest} of the application type's package), and the replicas it hosts.
 */
public record ServicePackageActivation(
        String application,
        String applicationTypeName,
        String applicationTypeVersion,
        String packageDigest,
        String activationId,
        ActivationMode mode,
        ServicePackageManifest servicePackage,
        List<AssignedReplica> replicas) {

    public ServicePackageActivation {
        replicas = List.copyOf(replicas);
    }

    public ActivationKey key() {
        return new ActivationKey(application, servicePackage.name(), activationId);
    }
}
