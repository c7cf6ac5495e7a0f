package io.capstan.model.cluster;

/** Identifies an activated service package on a node: (application, service package, ServicePackageActivationId). */
public record ActivationKey(String application, String servicePackage, String activationId)
        implements Comparable<ActivationKey> {

    private static final java.util.Comparator<ActivationKey> ORDER = java.util.Comparator
            .comparing(ActivationKey::application)
            .thenComparing(ActivationKey::servicePackage)
            .thenComparing(ActivationKey::activationId);


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
        return ORDER.compare(this, other);
    }
}
