package io.capstan.model.cluster;

/**
 * What one code package of an activation uses now, as its agent measures it in the code package's cgroup: cpu in
 * cores (averaged over the last measuring window) and memory in MiB (the working set: usage less inactive file
 * cache). In the same units as a node's capacities and a code package's requests.
 */
public record CodePackageUsage(String application, String servicePackage, String activationId, String codePackage,
                               double cpu, double memoryMiB) {

    /** The activation this code package belongs to. */
    public ActivationKey key() {
        return new ActivationKey(application, servicePackage, activationId);
    }
}
