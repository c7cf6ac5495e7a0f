package io.capstan.model.manifest;

import java.util.List;
import java.util.Map;

/**
 * A guest executable. A command without a slash is looked up on PATH, a relative one is resolved
 * against the code package folder; the process runs in that folder unless {@code workingDir} says otherwise.
 */
public record ProcessSpec(String command, List<String> args, Map<String, String> env, String workingDir) implements RunSpec {

    public ProcessSpec {
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? Map.of() : Map.copyOf(env);
    }
}
