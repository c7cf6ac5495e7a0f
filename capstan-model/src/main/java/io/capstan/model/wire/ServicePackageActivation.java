package io.capstan.model.wire;

import io.capstan.model.ActivationMode;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.manifest.ServicePackageManifest;
import java.util.List;
import java.util.Map;

/**
 * One activation a node must hold: the service package (parameters already substituted), where to
 * fetch its content ({@code packageDigest} of the application type's package), the replicas it hosts, and the
 * application revision (type version and parameters, see ApplicationVersion) the agent reports back once it runs it.
 */
public record ServicePackageActivation(
        String application,
        String applicationTypeName,
        String applicationTypeVersion,
        String packageDigest,
        String activationId,
        ActivationMode mode,
        ServicePackageManifest servicePackage,
        List<AssignedReplica> replicas,
        String revision) {

    public ServicePackageActivation {
        replicas = List.copyOf(replicas);
        revision = revision == null ? "" : revision;
    }

    /** An activation without an application revision (tests and older servers). */
    public ServicePackageActivation(String application, String applicationTypeName, String applicationTypeVersion,
                                    String packageDigest, String activationId, ActivationMode mode,
                                    ServicePackageManifest servicePackage, List<AssignedReplica> replicas) {
        this(application, applicationTypeName, applicationTypeVersion, packageDigest, activationId, mode, servicePackage,
                replicas, "");
    }

    public ActivationKey key() {
        return new ActivationKey(application, servicePackage.name(), activationId);
    }
}
