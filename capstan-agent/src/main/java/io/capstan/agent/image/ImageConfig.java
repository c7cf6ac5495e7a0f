package io.capstan.agent.image;

import java.util.List;

/**
 * What an image's config says about running it (the OCI image config's {@code config} object): entrypoint, default
 * arguments, environment as {@code K=V}, working directory and user ({@code uid[:gid]}, numeric only).
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user) {

    public static final ImageConfig EMPTY = new ImageConfig(List.of(), List.of(), List.of(), null, null);

    public ImageConfig {
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        env = env == null ? List.of() : List.copyOf(env);
    }
}
