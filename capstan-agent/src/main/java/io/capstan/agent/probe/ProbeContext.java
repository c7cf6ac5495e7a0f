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
 */
public record ProbeContext(
        String codePackage,
        Map<String, Integer> ports,
        Map<String, String> environment,
        Path workingDir,
        Path codePackageDir,
        Path outputDir,
        List<Path> cgroupProcs) {

    public ProbeContext {
        ports = Map.copyOf(ports);
        environment = Map.copyOf(environment);
        cgroupProcs = List.copyOf(cgroupProcs);
    }
}
