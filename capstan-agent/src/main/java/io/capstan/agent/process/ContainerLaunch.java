package io.capstan.agent.process;

import io.capstan.model.manifest.ResourceRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What one container run's OCI bundle holds: the runtime's container id, the bundle folder (config.json goes there),
 * the image's shared read-only rootfs, the process (args, env, cwd, uid/gid), its hostname, the folders bound in, its
 * limits and the cgroup path (relative to the hierarchy root; null to let the runtime choose); with a private network,
 * the ports mapped to it from the host (each to the same port inside); whether its users are mapped (user namespace).
 */
public record ContainerLaunch(String containerId, Path bundle, Path rootfs, List<String> args, Map<String, String> env,
                              String cwd, int uid, int gid, String hostname, List<BindMount> mounts,
                              ResourceRequest limits, String cgroupsPath, boolean privateNetwork,
                              List<Integer> publishedPorts, boolean userNamespace) {

    public ContainerLaunch {
        args = List.copyOf(args);
        env = Map.copyOf(env);
        mounts = List.copyOf(mounts);
        publishedPorts = publishedPorts == null ? List.of() : List.copyOf(publishedPorts);
    }

    /** A host folder bound into the container. */
    public record BindMount(Path source, String destination, boolean readOnly) {
    }
}
