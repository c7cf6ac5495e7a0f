package io.capstan.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.agent.cgroup.Cgroups;
import io.capstan.agent.probe.ProbeChecker;
import io.capstan.agent.process.ProcessLauncher;
import io.capstan.agent.process.ProcessStopper;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The collaborators one agent's activations share: its config, package store, process launcher and stopper,
 * cgroups, port allocator, timer thread (restarts, exit callbacks, log rotation), change listener, JSON mapper and
 * the checker every probe uses.
 */
record AgentServices(
        AgentConfig config,
        PackageStore packages,
        ProcessLauncher launcher,
        ProcessStopper stopper,
        Cgroups cgroups,
        PortAllocator ports,
        ScheduledExecutorService timers,
        Runnable onChange,
        ObjectMapper json,
        ProbeChecker probes) {
}
