package io.capstan.agent.driver;

import io.capstan.agent.cgroup.CodePackageCgroup;
import io.capstan.agent.process.LaunchSpec;
import io.capstan.agent.process.Signal;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Runs one kind of code package (a process, a container) and nothing else: start, signal, stop, exit status,
 * adoption. Restart policy, backoff, probes and readiness live above it, in the supervisor, once for all kinds.
 * A driver keeps no state per run: everything it needs is in the {@link RunIdentity} the supervisor records, so a
 * restarted agent can stop what its predecessor started.
 */
public interface CodePackageDriver {

    /** Starts the code package in {@code spec}'s cgroups; returns once its pid is known. */
    DriverRun start(LaunchSpec spec) throws IOException;

    /** Takes over a run a previous agent started, when it still lives (same pid and start time). */
    Optional<DriverRun> adopt(RunIdentity recorded, CodePackageCgroup cgroup);

    /**
     * Sends {@code signal} to the run (a process's group; a container's init, through the runtime) and, with a cgroup, to
     * whatever else the cgroup holds.
     */
    void signal(RunIdentity run, CodePackageCgroup cgroup, Signal signal) throws InterruptedException;

    /**
     * SIGTERM, {@code grace}, SIGKILL; then removes whatever the runtime keeps for the run. Blocks until nothing is
     * left or SIGKILL did not help (false). A null cgroup stops only the run's own processes.
     */
    boolean stop(RunIdentity run, CodePackageCgroup cgroup, Duration grace) throws InterruptedException;

    /** SIGKILL at once what a previous run left (children of a crashed leader), before the next start. */
    void killLeftovers(RunIdentity last, CodePackageCgroup cgroup) throws InterruptedException;
}
