package io.capstan.model.cluster;

/** Identifies an activated service package on a node: (application, service package, ServicePackageActivationId). */
public record ActivationKey(String application, String servicePackage, String activationId)
        implements Comparable<ActivationKey> {


    public ActivationKey {
        activationId = activationId == null ? "" : activationId;
    }

    /** A name safe for a directory or cgroup: App1_MyServicePackage or App1_MyServicePackage_<id>. */
    public String directoryName() {
        return activationId.isEmpty() ? application + "_" + servicePackage
                : application + "_" + servicePackage + "_" + activationId;
    }

    @Override
    public int compareTo(ActivationKey other) {
        // Field by field without a comparator chain: the state's indexes compare keys millions of times.
        int c = application.compareTo(other.application);
        if (c == 0) {
            c = servicePackage.compareTo(other.servicePackage);
        }
        return c != 0 ? c : activationId.compareTo(other.activationId);
    }
}
