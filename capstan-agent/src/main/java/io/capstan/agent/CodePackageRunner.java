package io.capstan.agent;

import io.capstan.agent.cgroup.CodePackageCgroup;
import io.capstan.agent.process.LaunchSpec;
import io.capstan.agent.process.ProcStat;
import io.capstan.agent.process.StopTarget;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.CodePackageStatus.State;
import io.capstan.model.manifest.ResourceRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one code package of an activation running: starts it, watches it exit, restarts it with backoff,
 * and stops its whole process tree on deactivation. After {@link #detach()} (agent shutdown) it lets the
 * process run on unwatched, for the next agent to adopt.
 */
final class CodePackageRunner {

    /** What a runner needs from its activation. */
    interface Host {
        /** How to launch the code package now (the environment reflects the current replicas). */
        LaunchSpec launchSpec(String codePackage) throws IOException;

        /** Writes activation.json with every runner's current process record. */
        void persist();

        /** The activation's directory name, which also names its cgroup. */
        String cgroupName();
    }

    private static final Logger log = LoggerFactory.getLogger(CodePackageRunner.class);
    /** A launch that failed outright (no process at all) is never retried at once, even with a zero backoff. */
    private static final Duration MIN_RELAUNCH_DELAY = Duration.ofMillis(100);

    private final String name;
    private final ResourceRequest resources;
    private final Host host;
    private final AgentServices services;

    // All mutable state is guarded by this runner's monitor.
    private State state = State.Starting;
    private Long pid;
    private long lastPgid = -1;
    private long lastPgidTicks = -1;
    private Instant startedAt;
    private int restartCount;
    private int failures;
    private Integer lastExitCode;
    private Instant lastExitAt;
    private Instant nextRestartAt;
    private ScheduledFuture<?> pendingRestart;
    private long generation;
    private boolean stopping;
    private boolean detached;
    private CodePackageCgroup cgroup;
    /** Read without the monitor by the activation when it writes its record. */
    private volatile ProcessRecord record;

    CodePackageRunner(String name, ResourceRequest resources, Host host, AgentServices services) {
        this.name = name;
        this.resources = resources;
        this.host = host;
        this.services = services;
    }

    String name() {
        return name;
    }

    ProcessRecord record() {
        return record;
    }

    synchronized Long pid() {
        return pid;
    }

    /** The first start of a fresh activation. */
    synchronized void start() {
        launch();
    }

    /** Takes over a live process a previous agent started (same pid and start time); its exit code will be unknown. */
    synchronized void adopt(ProcessRecord previous) {
        restoreFrom(previous);
        cgroup = services.cgroups().existing(host.cgroupName(), name);
        Optional<ProcessHandle> handle = ProcessHandle.of(previous.pid());
        if (handle.isEmpty()) {
            afterExit(null);
            return;
        }
        pid = previous.pid();
        state = State.Running;
        long gen = ++generation;
        handle.get().onExit().whenComplete((h, e) -> onTimer(() -> exited(gen, null)));
        log.info("adopted {} pid {} of {}", name, pid, host.cgroupName());
    }

    /** A recorded code package whose process is gone (or never started): start it as after an unknown exit. */
    synchronized void recoverDead(ProcessRecord previous) {
        cgroup = services.cgroups().existing(host.cgroupName(), name);
        if (previous == null) {
            launch();
            return;
        }
        restoreFrom(previous);
        log.info("{} of {} (pid {}) ended while no agent watched it", name, host.cgroupName(), previous.pid());
        afterExit(null);
    }

    /** Stops the process tree (TERM, grace, KILL) and removes the cgroup. Blocks; call off the timer thread. */
    void stop(Duration grace) {
        StopTarget target;
        synchronized (this) {
            stopping = true;
            cancelPendingRestart();
            target = stopTarget();
            if (pid == null) {
                state = State.Stopped;
            }
        }
        changed();
        try {
            if (target != null && !services.stopper().stop(target, grace)) {
                log.error("{} of {}: processes survived SIGKILL", name, host.cgroupName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        CodePackageCgroup toRemove;
        synchronized (this) {
            state = State.Stopped;
            pid = null;
            toRemove = cgroup;
            cgroup = null;
        }
        if (toRemove != null) {
            try {
                toRemove.remove();
            } catch (IOException e) {
                log.warn("cannot remove cgroup of {} of {}: {}", name, host.cgroupName(), e.toString());
            }
        }
        changed();
    }

    /** Agent shutdown: stop watching and restarting, leave the process running. */
    synchronized void detach() {
        detached = true;
        cancelPendingRestart();
    }

    synchronized CodePackageStatus status() {
        return new CodePackageStatus(name, state, pid, startedAt, restartCount, lastExitCode, lastExitAt, nextRestartAt,
                state == State.Running, failures, null, List.of());
    }

    // ---- internals; every method below runs with the monitor held ----

    private void launch() {
        if (stopping || detached) {
            return;
        }
        state = State.Starting;
        nextRestartAt = null;
        pendingRestart = null;
        try {
            ensureCgroup();
            killLeftovers();
            LaunchSpec spec = host.launchSpec(name);
            if (cgroup != null) {
                spec = spec.withCgroupProcs(cgroup.procsFiles());
            }
            Process process = services.launcher().start(spec);
            long newPid = process.pid();
            long ticks = ProcStat.read(newPid).map(ProcStat::startTicks).orElse(-1L);
            Instant now = Instant.now();
            pid = newPid;
            lastPgid = newPid;
            lastPgidTicks = ticks;
            startedAt = now;
            record = new ProcessRecord(newPid, ticks, now, restartCount);
            // Record the pid before anything else can fail, so no process is ever left without a record.
            host.persist();
            state = State.Running;
            long gen = ++generation;
            process.onExit().whenComplete((p, e) -> onTimer(() -> exited(gen, p == null ? null : p.exitValue())));
            log.info("started {} of {} as pid {}", name, host.cgroupName(), newPid);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot start {} of {}: {}", name, host.cgroupName(), e.toString());
            pid = null;
            lastExitCode = null;
            lastExitAt = Instant.now();
            failures++;
            Duration delay = services.config().restartBackoff().delayAfter(failures);
            scheduleRestart(delay.compareTo(MIN_RELAUNCH_DELAY) < 0 ? MIN_RELAUNCH_DELAY : delay);
        }
        changed();
    }

    private synchronized void exited(long gen, Integer exitCode) {
        if (gen != generation || detached) {
            return; // a stale callback (the process was replaced) or an agent that shut down
        }
        if (stopping) {
            pid = null;
            lastExitCode = exitCode;
            lastExitAt = Instant.now();
            state = State.Stopped;
            changed();
            return;
        }
        afterExit(exitCode);
        changed();
    }

    private void afterExit(Integer exitCode) {
        Instant now = Instant.now();
        pid = null;
        lastExitCode = exitCode;
        lastExitAt = now;
        RestartBackoff backoff = services.config().restartBackoff();
        if (startedAt != null && backoff.resets(Duration.between(startedAt, now))) {
            failures = 0;
        }
        failures++;
        Duration delay = backoff.delayAfter(failures);
        log.info("{} of {} exited ({}); restart in {}", name, host.cgroupName(),
                exitCode == null ? "exit code unknown" : "exit code " + exitCode, delay);
        scheduleRestart(delay);
    }

    private void scheduleRestart(Duration delay) {
        if (stopping || detached) {
            return;
        }
        if (delay.isZero()) {
            restartCount++;
            launch();
            return;
        }
        state = State.Backoff;
        nextRestartAt = Instant.now().plus(delay);
        long gen = generation;
        try {
            pendingRestart = services.timers().schedule(() -> restartDue(gen), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The agent is shutting down; the next one restarts it.
        }
    }

    private synchronized void restartDue(long gen) {
        if (gen != generation || stopping || detached || state != State.Backoff) {
            return;
        }
        restartCount++;
        launch();
    }

    private void restoreFrom(ProcessRecord previous) {
        restartCount = previous.restartCount();
        startedAt = previous.startedAt();
        lastPgid = previous.pid();
        lastPgidTicks = previous.startTicks();
        record = previous;
    }

    private void ensureCgroup() {
        if (cgroup != null || !services.cgroups().enforced()) {
            return;
        }
        try {
            cgroup = services.cgroups().create(host.cgroupName(), name, resources);
        } catch (IOException | RuntimeException e) {
            log.warn("{} of {} runs without its cgroup, limits not enforced: {}", name, host.cgroupName(), e.toString());
        }
    }

    /** What survived the previous run (children of a crashed leader, say) would hold ports and files: end it first. */
    private void killLeftovers() {
        StopTarget target = stopTarget();
        if (target == null) {
            return;
        }
        try {
            services.stopper().killNow(target);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private StopTarget stopTarget() {
        if (lastPgid <= 0 && cgroup == null) {
            return null;
        }
        return new StopTarget(lastPgid, lastPgidTicks, cgroup == null ? null : cgroup.procsFile());
    }

    private void cancelPendingRestart() {
        if (pendingRestart != null) {
            pendingRestart.cancel(false);
            pendingRestart = null;
        }
        nextRestartAt = null;
    }

    private void onTimer(Runnable task) {
        try {
            services.timers().execute(task);
        } catch (RejectedExecutionException e) {
            // The agent is closed: nobody watches any more, by design.
        }
    }

    private void changed() {
        services.onChange().run();
    }
}
