package io.capstan.dist;

import io.capstan.agent.AgentConfig;
import io.capstan.agent.driver.ContainerRuntime;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code --container-runtime runc|crun} of {@code capstan agent} and {@code capstan dev}: a runtime asked for by name
 * must be installed (a usage error naming the package otherwise); without the option a missing runc only costs the
 * node its containers, which the agent says once on standard error.
 */
final class ContainerRuntimeOption {

    private ContainerRuntimeOption() {
    }

    /** The runtime to configure ({@code runc} when {@code requested} is null); checked against this machine. */
    static String resolve(CommandSpec spec, String requested) {
        String name = requested == null ? "runc" : requested.trim();
        try {
            ContainerRuntime.kindOf(name);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--container-runtime: " + e.getMessage());
        }
        if (ContainerRuntime.find(name, Path.of("/nonexistent"), AgentConfig.DEFAULT_CGROUP_ROOT).isEmpty()) {
            String pkg = Path.of(name).getFileName().toString();
            String message = "--container-runtime: " + name + " was not found on this machine: install it (apt-get install "
                    + pkg + ") or choose --container-runtime " + ("crun".equals(pkg) ? "runc" : "crun");
            if (requested != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), message);
            }
            System.err.println("warning: container code packages cannot run on this node: runc was not found"
                    + " (apt-get install runc, or --container-runtime crun)");
        }
        return name;
    }
}
