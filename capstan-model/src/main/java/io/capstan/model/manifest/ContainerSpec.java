package io.capstan.model.manifest;

import java.util.List;
import java.util.Map;

/**
 * A code package run as an OCI container: {@code image} is an OCI layout folder or {@code .tar} relative to
 * the code package folder; {@code args} replace the image's command arguments; {@code env} is added to the
 * image's environment; {@code network} is {@link #HOST} (the host's network, the default) or {@link #PRIVATE} (its own
 * network namespace, the activation's endpoint ports mapped to it from the host).
 */
public record ContainerSpec(String image, List<String> args, Map<String, String> env, String network) implements RunSpec {

    public static final String HOST = "host";
    public static final String PRIVATE = "private";

    public ContainerSpec {
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? Map.of() : Map.copyOf(env);
        network = network == null ? HOST : network;
    }

    /** A container on the host network. */
    public ContainerSpec(String image, List<String> args, Map<String, String> env) {
        this(image, args, env, HOST);
    }

    /** Whether it gets a network namespace of its own. */
    public boolean privateNetwork() {
        return PRIVATE.equals(network);
    }
}
