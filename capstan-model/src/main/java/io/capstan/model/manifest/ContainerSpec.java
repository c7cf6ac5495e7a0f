package io.capstan.model.manifest;

import java.util.List;
import java.util.Map;

/**
 * A code package run as an OCI container: {@code image} is an OCI layout folder or {@code .tar} relative to
 * the code package folder; {@code args} replace the image's command arguments; {@code env} is added to the
 * image's environment; {@code network} is {@link #HOST} (the host's network, the default) or {@link #PRIVATE} (its own
 * network namespace, the activation's endpoint ports mapped to it from the host); with {@code userNamespace} its users
 * are mapped (its root is the unprivileged {@link #MAPPED_UID_BASE} on the host).
 */
public record ContainerSpec(String image, List<String> args, Map<String, String> env, String network,
                            boolean userNamespace) implements RunSpec {

    /** The host uid (and gid) a user-namespaced container's root maps to; 65,536 ids from there. */
    public static final int MAPPED_UID_BASE = 100_000;
    public static final int MAPPED_ID_COUNT = 65_536;

    public static final String HOST = "host";
    public static final String PRIVATE = "private";

    public ContainerSpec {
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? Map.of() : Map.copyOf(env);
        network = network == null ? HOST : network;
    }

    /** A container on the host network, with the host's users. */
    public ContainerSpec(String image, List<String> args, Map<String, String> env) {
        this(image, args, env, HOST, false);
    }

    /** With the host's users. */
    public ContainerSpec(String image, List<String> args, Map<String, String> env, String network) {
        this(image, args, env, network, false);
    }

    /** Whether it gets a network namespace of its own. */
    public boolean privateNetwork() {
        return PRIVATE.equals(network);
    }
}
