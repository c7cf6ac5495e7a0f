package io.capstan.agent.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to start one code package process: the command (already resolved: absolute, or a bare
 * name for a PATH lookup), its arguments, the variables added to the agent's environment, its working
 * directory, the log files its stdout and stderr append to, and the cgroup.procs files it must join first;
 * for a container, also what its OCI bundle holds (null for a process).
 */
public record LaunchSpec(
        String command,
        List<String> args,
        Map<String, String> environment,
        Path workingDir,
        Path stdout,
        Path stderr,
        List<Path> cgroupProcs,
        ContainerLaunch container) {

    public LaunchSpec {
        args = List.copyOf(args);
        environment = Map.copyOf(environment);
        cgroupProcs = List.copyOf(cgroupProcs);
    }

    /** A process launch (no container). */
    public LaunchSpec(String command, List<String> args, Map<String, String> environment, Path workingDir, Path stdout,
                      Path stderr, List<Path> cgroupProcs) {
        this(command, args, environment, workingDir, stdout, stderr, cgroupProcs, null);
    }

    public LaunchSpec withCgroupProcs(List<Path> procs) {
        return new LaunchSpec(command, args, environment, workingDir, stdout, stderr, procs, container);
    }
}
