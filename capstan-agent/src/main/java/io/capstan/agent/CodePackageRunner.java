package io.capstan.agent;

import io.capstan.agent.cgroup.CodePackageCgroup;
import io.capstan.agent.probe.ProbeContext;
import io.capstan.agent.probe.ProbeRunner;
import io.capstan.agent.process.LaunchSpec;
import io.capstan.agent.process.ProcStat;
import io.capstan.agent.process.StopTarget;
import io.capstan.model.Durations;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.CodePackageStatus.State;
import io.capstan.model.cluster.ProbeStatus;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.RestartPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one code package of an activation running: starts it, watches it exit, restarts it as its manifest's
 * {@link RestartPolicy} says (counting failures in a row and keeping the tail of its stderr after each exit), runs
 * its probes while it runs (a startup or liveness probe that gives up gets the process group stopped and restarted
 * like a crash), and stops its whole process tree on deactivation. After {@link #detach()} (agent shutdown) it lets
 * the process run on unwatched, for the next agent to adopt; failure counts are not kept across agents.
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

        /** What the code package's probes check, for a process launched with {@code launched}. */
        ProbeContext probeContext(String codePackage, LaunchSpec launched);

        /** The file the code package's stderr goes to. */
        Path stderrLog(String codePackage);
    }

    private static final Logger log = LoggerFactory.getLogger(CodePackageRunner.class);
    /** A launch that failed outright (no process at all) is never retried at once, even with a zero backoff. */
    private static final Duration MIN_RELAUNCH_DELAY = Duration.ofMillis(100);
    /** How long stopping waits for probe threads (an exec check being killed) before going on. */
    private static final Duration PROBES_STOP_WAIT = Duration.ofSeconds(10);

    private final String name;
    private final CodePackageManifest manifest;
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
    private String stderrTail;
    /** Why the agent is stopping the current process (a probe gave up), for the exit's log line. */
    private String killReason;
    private String lastExitReason;
    private ScheduledFuture<?> resetTimer;
    /** The current process's probes; null while no process runs or when it has no probes. */
    private ProbeRunner probes;
    /** What the probes showed when they last stopped (or before the first process). */
    private List<ProbeStatus> probeStatuses;
    /** Probes of earlier processes that were told to stop and may still be ending (an exec check being killed). */
    private final List<ProbeRunner> stoppingProbes = new ArrayList<>();
    /** Read without the monitor by the activation when it writes its record. */
    private volatile ProcessRecord record;

    CodePackageRunner(CodePackageManifest manifest, Host host, AgentServices services) {
        this.name = manifest.name();
        this.manifest = manifest;
        this.host = host;
        this.services = services;
        this.probeStatuses = ProbeRunner.initialStatuses(manifest.probes(), Instant.now());
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
        Instant started = previous.startedAt() == null ? Instant.now() : previous.startedAt();
        scheduleReset(gen, started);
        if (!manifest.probes().isEmpty()) {
            try {
                LaunchSpec spec = host.launchSpec(name);
                startProbes(gen, cgroup == null ? spec : spec.withCgroupProcs(cgroup.procsFiles()), started);
            } catch (IOException | RuntimeException e) {
                log.warn("cannot probe adopted {} of {}: {}", name, host.cgroupName(), e.toString());
            }
        }
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
        List<ProbeRunner> ending;
        synchronized (this) {
            stopping = true;
            cancelTimers();
            stopProbes();
            ending = List.copyOf(stoppingProbes);
            target = stopTarget();
            if (pid == null) {
                state = State.Stopped;
            }
        }
        changed();
        try {
            // Exec checks run in the code package's cgroup and write to its log folder: they must be gone before
            // the cgroup and the activation directory are removed.
            for (ProbeRunner p : ending) {
                p.awaitStopped(PROBES_STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
        cancelTimers();
        stopProbes();
    }

    /**
     * Ready: running, past its startup probe and passing its readiness probe (each if it has one). The probes
     * shown are the current process's, or those of the last one while none runs.
     */
    synchronized CodePackageStatus status() {
        boolean running = state == State.Running && pid != null;
        boolean ready = running && (probes != null ? probes.ready() : manifest.probes().isEmpty());
        return new CodePackageStatus(name, state, pid, startedAt, restartCount, lastExitCode, lastExitAt, nextRestartAt,
                ready, failures, stderrTail, probes != null ? probes.statuses() : probeStatuses, lastExitReason);
    }

    /** Whether it failed its restart policy's {@code moveAfterFailures} times in a row (its replicas should move). */
    synchronized boolean failedOut() {
        return failures >= manifest.restartPolicy().moveAfterFailures();
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
            scheduleReset(gen, now);
            startProbes(gen, spec, now);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot start {} of {}: {}", name, host.cgroupName(), e.toString());
            pid = null;
            lastExitCode = null;
            lastExitAt = Instant.now();
            failures++;
            noteCrashLoop();
            Duration delay = manifest.restartPolicy().delayAfter(failures);
            scheduleRestart(delay.compareTo(MIN_RELAUNCH_DELAY) < 0 ? MIN_RELAUNCH_DELAY : delay);
        }
        changed();
    }

    private void startProbes(long gen, LaunchSpec launched, Instant processStartedAt) {
        if (manifest.probes().isEmpty()) {
            return;
        }
        try {
            ProbeContext context = host.probeContext(name, launched);
            probes = new ProbeRunner(host.cgroupName() + "/" + name, manifest.probes(), context, processStartedAt,
                    probeStatuses, services.probes(), new ProbeRunner.Listener() {
                        @Override
                        public void transitioned(ProbeStatus status) {
                            changed();
                        }

                        @Override
                        public void gaveUp(ProbeStatus status) {
                            probeGaveUp(gen, status);
                        }
                    });
            probes.start();
        } catch (RuntimeException e) {
            // Never fail the launch over its probes: the process runs and is recorded already.
            log.error("cannot probe {} of {}; it will not count as ready", name, host.cgroupName(), e);
        }
    }

    /** Keeps what the probes showed (a failed liveness probe stays visible across the restart) and ends them. */
    private void stopProbes() {
        stoppingProbes.removeIf(ProbeRunner::ended);
        if (probes != null) {
            probes.stop();
            probeStatuses = probes.statuses();
            stoppingProbes.add(probes);
            probes = null;
        }
    }

    /**
     * A startup or liveness probe gave up: stop the process group (TERM, grace, KILL) as Kubernetes does; its exit
     * then counts as a failure and is restarted with the same backoff as a crash. Only the group is signalled, not
     * the cgroup, which by then may hold the next process.
     */
    private void probeGaveUp(long gen, ProbeStatus status) {
        StopTarget group;
        String reason;
        synchronized (this) {
            if (gen != generation || stopping || detached || state != State.Running || pid == null) {
                return;
            }
            ProbeStatus.Type type = status.type();
            int threshold = (type == ProbeStatus.Type.Startup ? manifest.probes().startup() : manifest.probes().liveness())
                    .failureThreshold();
            reason = type.name().toLowerCase(Locale.ROOT) + " probe failed " + threshold + " time(s) in a row: "
                    + status.lastMessage();
            killReason = reason;
            group = new StopTarget(lastPgid, lastPgidTicks, null);
        }
        log.warn("{} of {}: {}; restarting it", name, host.cgroupName(), reason);
        Duration grace = services.config().stopGrace();
        Thread.ofVirtual().name("capstan-probe-kill-" + host.cgroupName() + "-" + name).start(() -> {
            try {
                services.stopper().stop(group, grace);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** A run that lasts {@code resetAfter} forgets earlier failures at once, not only at its eventual exit. */
    private void scheduleReset(long gen, Instant processStartedAt) {
        cancelResetTimer();
        long ms = Math.max(0, Duration.between(Instant.now(), processStartedAt.plus(manifest.restartPolicy().resetAfter())).toMillis());
        try {
            resetTimer = services.timers().schedule(() -> stable(gen), ms, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The agent is shutting down.
        }
    }

    private synchronized void stable(long gen) {
        if (gen != generation || state != State.Running || failures == 0) {
            return;
        }
        log.info("{} of {} stayed up {}: forgetting {} failure(s) in a row", name, host.cgroupName(),
                Durations.format(manifest.restartPolicy().resetAfter()), failures);
        failures = 0;
        changed();
    }

    private void noteCrashLoop() {
        int limit = manifest.restartPolicy().moveAfterFailures();
        if (failures == limit) {
            log.warn("{} of {} failed {} times in a row: the activation reports Failed so its replicas move elsewhere;"
                    + " restarts go on meanwhile", name, host.cgroupName(), failures);
        }
    }

    private synchronized void exited(long gen, Integer exitCode) {
        if (gen != generation || detached) {
            return; // a stale callback (the process was replaced) or an agent that shut down
        }
        if (stopping) {
            stopProbes();
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
        stopProbes();
        cancelResetTimer();
        Instant now = Instant.now();
        pid = null;
        lastExitCode = exitCode;
        lastExitAt = now;
        RestartPolicy policy = manifest.restartPolicy();
        if (startedAt != null && policy.resets(Duration.between(startedAt, now))) {
            failures = 0;
        }
        failures++;
        stderrTail = LogTail.of(host.stderrLog(name));
        Duration delay = policy.delayAfter(failures);
        log.info("{} of {} exited ({}{}), {} failure(s) in a row; restart in {}", name, host.cgroupName(),
                exitCode == null ? "exit code unknown" : "exit code " + exitCode,
                killReason == null ? "" : " after " + killReason, failures, delay);
        lastExitReason = killReason;
        killReason = null;
        noteCrashLoop();
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
        // Counted from the exit, so what the status announces is exactly the policy's delay.
        nextRestartAt = (lastExitAt == null ? Instant.now() : lastExitAt).plus(delay);
        long wait = Math.max(0, Duration.between(Instant.now(), nextRestartAt).toMillis());
        long gen = generation;
        try {
            pendingRestart = services.timers().schedule(() -> restartDue(gen), wait, TimeUnit.MILLISECONDS);
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
            cgroup = services.cgroups().create(host.cgroupName(), name, manifest.resources());
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

    private void cancelTimers() {
        if (pendingRestart != null) {
            pendingRestart.cancel(false);
            pendingRestart = null;
        }
        nextRestartAt = null;
        cancelResetTimer();
    }

    private void cancelResetTimer() {
        if (resetTimer != null) {
            resetTimer.cancel(false);
            resetTimer = null;
        }
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
