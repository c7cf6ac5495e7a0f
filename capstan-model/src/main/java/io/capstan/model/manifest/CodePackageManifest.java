package io.capstan.model.manifest;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.Objects;

/**
 * What is actually run ({@link RunSpec}: a process or a container), with its resource requests, probes and restart
 * policy. In JSON it keeps the manifest's shape: a {@code process} or a {@code container} object.
 * {@code drainTimeout} is how long a stop waits, after the endpoints were unpublished, for requests in flight before
 * SIGTERM; null when the manifest does not say ({@link #drainPeriod()} is then {@link #DEFAULT_DRAIN_TIMEOUT}).
 * {@code onConfigChange} is what it gets when only config or data packages change (a restart unless it names a signal).
 */
public record CodePackageManifest(String name, String version, @JsonIgnore RunSpec run, ResourceRequest resources,
                                  CodePackageProbes probes, RestartPolicy restartPolicy,
                                  @JsonInclude(JsonInclude.Include.NON_NULL) Duration drainTimeout,
                                  @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = OnConfigChange.IsRestart.class)
                                  OnConfigChange onConfigChange) {

    /** What a code package with endpoints gets to finish requests in flight when it says nothing. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

    public CodePackageManifest {
        Objects.requireNonNull(run, "a code package runs a process or a container");
        resources = resources == null ? ResourceRequest.NONE : resources;
        probes = probes == null ? CodePackageProbes.NONE : probes;
        restartPolicy = restartPolicy == null ? RestartPolicy.DEFAULT : restartPolicy;
        onConfigChange = onConfigChange == null ? OnConfigChange.RESTART : onConfigChange;
    }

    public CodePackageManifest(String name, String version, RunSpec run, ResourceRequest resources,
                               CodePackageProbes probes, RestartPolicy restartPolicy, Duration drainTimeout) {
        this(name, version, run, resources, probes, restartPolicy, drainTimeout, null);
    }

    public CodePackageManifest(String name, String version, RunSpec run, ResourceRequest resources,
                               CodePackageProbes probes, RestartPolicy restartPolicy) {
        this(name, version, run, resources, probes, restartPolicy, null, null);
    }

    /** The drain period a stop gives this code package: its {@code drainTimeout}, or the default. */
    public Duration drainPeriod() {
        return drainTimeout != null ? drainTimeout : DEFAULT_DRAIN_TIMEOUT;
    }

    /** A process code package with no probes and the default restart policy. */
    public CodePackageManifest(String name, String version, ProcessSpec process, ResourceRequest resources) {
        this(name, version, process, resources, null, null);
    }

    /** Reads the JSON shape, where exactly one of {@code process} and {@code container} is set. */
    @JsonCreator
    static CodePackageManifest fromJson(@JsonProperty("name") String name, @JsonProperty("version") String version,
                                        @JsonProperty("process") ProcessSpec process,
                                        @JsonProperty("resources") ResourceRequest resources,
                                        @JsonProperty("container") ContainerSpec container,
                                        @JsonProperty("probes") CodePackageProbes probes,
                                        @JsonProperty("restartPolicy") RestartPolicy restartPolicy,
                                        @JsonProperty("drainTimeout") Duration drainTimeout,
                                        @JsonProperty("onConfigChange") OnConfigChange onConfigChange) {
        if ((process == null) == (container == null)) {
            throw new IllegalArgumentException("code package " + name + ": set exactly one of process and container");
        }
        return new CodePackageManifest(name, version, process != null ? process : container, resources, probes, restartPolicy,
                drainTimeout, onConfigChange);
    }


    /** The process, for the JSON shape; null for a container. */
    @JsonProperty("process")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    ProcessSpec processJson() {
        return run instanceof ProcessSpec p ? p : null;
    }

    /** The container, for the JSON shape; null for a process. */
    @JsonProperty("container")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    ContainerSpec containerJson() {
        return run instanceof ContainerSpec c ? c : null;
    }
}
