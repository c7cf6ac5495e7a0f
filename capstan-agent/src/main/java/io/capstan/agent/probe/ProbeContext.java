package io.capstan.agent.probe;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the probes of one running code package check against: the activation's endpoint ports, and for exec
 * probes the environment, working directory and cgroups the code package itself runs with, the folder its
 * relative commands are resolved against, and where a probe command's output goes.
 *
 * @param outputDir each exec probe's output is written to {@code <codePackage>.<type>-probe.log} here, the last
 *                  run only, so its first line can be quoted in the probe's message
 * @param containerExec for a container, how to run a command inside it (its environment and working directory are
 *                  the container's); null for a process
 */
public record ProbeContext(
        String codePackage,
        Map<String, Integer> ports,
        Map<String, String> environment,
        Path workingDir,
        Path codePackageDir,
        Path outputDir,
        List<Path> cgroupProcs,
        ContainerExec containerExec) {

    public ProbeContext {
        ports = Map.copyOf(ports);
        environment = Map.copyOf(environment);
        cgroupProcs = List.copyOf(cgroupProcs);
    }

    /** A process's probes: commands run on the host like the code package. */
    public ProbeContext(String codePackage, Map<String, Integer> ports, Map<String, String> environment, Path workingDir,
                        Path codePackageDir, Path outputDir, List<Path> cgroupProcs) {
        this(codePackage, ports, environment, workingDir, codePackageDir, outputDir, cgroupProcs, null);
    }

    /**
     * {@code <runtime> exec --pid-file F <container> <command...>}: {@code runtimeExec} is everything before
     * {@code --pid-file} (the runtime, its global options and {@code exec}); the pid file names the command's host pid,
     * so a check that times out is killed inside the container too.
     */
    public record ContainerExec(List<String> runtimeExec, String containerId) {
        public ContainerExec {
            runtimeExec = List.copyOf(runtimeExec);
        }

        public List<String> command(Path pidFile, List<String> command) {
            List<String> out = new java.util.ArrayList<>(runtimeExec);
            out.add("--pid-file");
            out.add(pidFile.toString());
            out.add(containerId);
            out.addAll(command);
            return out;
        }
    }
}
