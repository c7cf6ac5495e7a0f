package io.capstan.model.manifest;

/**
 * What is actually run, with its resource requests: a process (guest executable) or, when {@code process}
 * is null, a {@code container}. A parsed, valid manifest has exactly one of the two.
 */
public record CodePackageManifest(String name, String version, ProcessSpec process, ResourceRequest resources,
                                  ContainerSpec container, CodePackageProbes probes, RestartPolicy restartPolicy) {

    public CodePackageManifest {
        resources = resources == null ? ResourceRequest.NONE : resources;
        probes = probes == null ? CodePackageProbes.NONE : probes;
        restartPolicy = restartPolicy == null ? RestartPolicy.DEFAULT : restartPolicy;
    }

    /** A process code package (no container) with no probes and the default restart policy. */
    public CodePackageManifest(String name, String version, ProcessSpec process, ResourceRequest resources) {
        this(name, version, process, resources, null, null, null);
    }
}
