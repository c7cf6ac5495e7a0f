package io.capstan.model.manifest;

import java.util.List;
import java.util.Map;

/**
 * A code package run as an OCI container: {@code image} is an OCI layout folder or {@code .tar} relative to
 * the code package folder; {@code args} replace the image's command arguments; {@code env} is added to the
 * image's environment.
 */
public record ContainerSpec(String image, List<String> args, Map<String, String> env) implements RunSpec {

    public ContainerSpec {
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? Map.of() : Map.copyOf(env);
    }
}
