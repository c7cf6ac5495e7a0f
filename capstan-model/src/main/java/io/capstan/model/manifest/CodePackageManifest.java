package io.capstan.model.manifest;

/**
 * What is actually run, with its resource requests: a process (guest executable) or, when {@code process}
 * is null, a {@code container}. A parsed, valid manifest has exactly one of the two.
 */
public record CodePackageManifest(String name, String version, ProcessSpec process, ResourceRequest resources,
                                  ContainerSpec container) {

    public CodePackageManifest {
        resources = resources == null ? ResourceRequest.NONE : resources;
    }

    /** A process code package (no container). */
    public CodePackageManifest(String name, String version, ProcessSpec process, ResourceRequest resources) {
        this(name, version, process, resources, null);
    }
}
