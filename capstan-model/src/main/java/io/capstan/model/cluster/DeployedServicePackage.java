package io.capstan.model.cluster;

import java.util.List;
import java.util.Map;

/**
 * An activated copy of a service package on a node, as its agent observes it: identified by
 * (application, servicePackage, activationId), with its endpoint ports and code packages. {@code applicationTypeVersion}
 * is the application type version it runs now (it follows an upgrade that updated or refreshed it in place), and
 * {@code configPackageVersions} / {@code dataPackageVersions} the versions of its config and data packages whose files
 * it has in place, by package name; {@code revision} is the {@link ApplicationVersion#revision() application
 * revision} of the assignment it runs (type version and parameters): what the server checks convergence by.
 */
public record DeployedServicePackage(
        String node,
        String application,
        String servicePackage,
        String servicePackageVersion,
        String activationId,
        ActivationState state,
        Map<String, Integer> endpoints,
        List<CodePackageStatus> codePackages,
        List<Long> replicaIds,
        String applicationTypeVersion,
        Map<String, String> configPackageVersions,
        Map<String, String> dataPackageVersions,
        String revision) {

    public DeployedServicePackage {
        endpoints = endpoints == null ? Map.of() : Map.copyOf(endpoints);
        codePackages = codePackages == null ? List.of() : List.copyOf(codePackages);
        replicaIds = replicaIds == null ? List.of() : List.copyOf(replicaIds);
        configPackageVersions = configPackageVersions == null ? Map.of() : Map.copyOf(configPackageVersions);
        dataPackageVersions = dataPackageVersions == null ? Map.of() : Map.copyOf(dataPackageVersions);
        revision = revision == null ? "" : revision;
    }

    /** Without the versions an upgrade needs (reports of agents that predate them). */
    public DeployedServicePackage(String node, String application, String servicePackage, String servicePackageVersion,
                                  String activationId, ActivationState state, Map<String, Integer> endpoints,
                                  List<CodePackageStatus> codePackages, List<Long> replicaIds) {
        this(node, application, servicePackage, servicePackageVersion, activationId, state, endpoints, codePackages, replicaIds,
                null, null, null, null);
    }

    /** The activation's identity on its node. */
    public ActivationKey key() {
        return new ActivationKey(application, servicePackage, activationId);
    }

    /**
     * Activating: code packages starting; Active: all running; Failing: some in backoff; Failed: some code
     * package failed its restart policy's {@code moveAfterFailures} times in a row, so its replicas are Down
     * and will be moved (the agent keeps restarting it until then); Deactivating: stopping.
     */
    public enum ActivationState { Activating, Active, Failing, Failed, Deactivating }
}
