package io.capstan.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.agent.cgroup.Cgroups;
import io.capstan.agent.probe.ProbeChecker;
import io.capstan.agent.process.ProcessLauncher;
import io.capstan.agent.process.ProcessStopper;
import io.capstan.agent.driver.CodePackageDriver;
import io.capstan.agent.driver.ContainerDriver;
import io.capstan.agent.image.ImageStore;
import io.capstan.agent.image.RegistryPuller;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.ContainerSpec;
import io.capstan.model.manifest.ProcessSpec;
import java.time.Clock;

/**
 * The collaborators one agent's activations share: its config, package store, process launcher and stopper,
 * cgroups, port allocator, timers and clock (restarts, exit callbacks), drivers, unpacked images, change listener, JSON mapper,
 * the checker every probe uses, the content digests of extracted package folders, and whether the node's Primaries are fenced.
 */
record AgentServices(
        AgentConfig config,
        PackageStore packages,
        ProcessLauncher launcher,
        ProcessStopper stopper,
        Cgroups cgroups,
        PortAllocator ports,
        Timers timers,
        Clock clock,
        CodePackageDriver processDriver,
        ContainerDriver containerDriver,
        ImageStore images,
        RegistryPuller registry,
        Runnable onChange,
        ObjectMapper json,
        ProbeChecker probes,
        FolderDigests folderDigests,
        NodeFence fence) {

    /** The driver that runs {@code codePackage}'s kind. */
    CodePackageDriver driverFor(CodePackageManifest codePackage) {
        return switch (codePackage.run()) {
            case ProcessSpec p -> processDriver;
            case ContainerSpec c -> containerDriver;
        };
    }
}
