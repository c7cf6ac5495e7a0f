package io.capstan.model.manifest;

/** What a code package runs: a guest executable or an OCI container, nothing else. */
public sealed interface RunSpec permits ProcessSpec, ContainerSpec {
}
