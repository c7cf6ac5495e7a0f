package io.capstan.agent;

import io.capstan.agent.cgroup.CodePackageCgroup;
import io.capstan.agent.driver.CodePackageDriver;
import io.capstan.agent.driver.DriverRun;
import io.capstan.agent.driver.RunIdentity;
import io.capstan.agent.probe.ProbeContext;
import io.capstan.agent.probe.ProbeRunner;
import io.capstan.agent.process.EndpointConnections;
import io.capstan.agent.process.LaunchSpec;
import io.capstan.agent.process.Signal;
import io.capstan.model.Durations;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.CodePackageStatus.State;
import io.capstan.model.cluster.ProbeStatus;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.OnConfigChange;
import io.capstan.model.manifest.RestartPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one code package of an activation running, whatever its kind: a {@link CodePackageDriver} starts, stops and
 * adopts runs; this class decides when. It is an explicit state machine ({@link Phase}): Starting → Running → (exit)
 * BackingOff → Starting …, and Stopping → Stopped on deactivation or Detached on agent shutdown (the run goes on
 * unwatched, for the next agent to adopt). Restarts follow the manifest's {@link RestartPolicy}, counted on the
 * given {@link Clock} and scheduled on {@link Timers}, so backoff is testable without waiting; a startup or liveness
 * probe that gives up gets the run stopped and restarted like a crash. Failure counts are not kept across agents.
 */
final class CodePackageSupervisor {

    /** What a supervisor needs from its activation. */
    interface Host {
        /** How to launch the code package now (the environment reflects the current replicas). */
        LaunchSpec launchSpec(String codePackage) throws IOException;

        /** Writes activation.json with every supervisor's current run record. */
        void persist();

        /** The activation's directory name, which also names its cgroup. */
        String cgroupName();

        /** What the code package's probes check, for a run launched with {@code launched}. */
        ProbeContext probeContext(String codePackage, LaunchSpec launched);

        /** The file the code package's stderr goes to. */
        Path stderrLog(String codePackage);
    }

    /** Where the supervisor is; each phase carries what only it has. */
    sealed interface Phase {
        /** Launching (or about to). */
        record Starting() implements Phase { }

        /** A run is live; {@code generation} tells its callbacks from those of earlier runs. */
        record Running(long generation, RunIdentity run, Instant startedAt, Timers.Scheduled resetTimer) implements Phase { }

        /** Waiting out the restart policy's delay. */
        record BackingOff(Instant restartAt, Timers.Scheduled timer) implements Phase { }

        /** Deactivation is stopping the run. */
        record Stopping() implements Phase { }

        /** Nothing runs and nothing will. */
        record Stopped() implements Phase { }

        /** The agent shut down: the run (if any) goes on unwatched. */
        record Detached() implements Phase { }
    }

    private static final Logger log = LoggerFactory.getLogger(CodePackageSupervisor.class);
    /** The exit reason of a run the kernel's OOM killer ended (seen in the cgroup's events). */
    static final String OOM_KILLED = "OOMKilled";
    /** The exit reason of a run the agent restarted because its config or data packages changed. */
    static final String CONFIG_CHANGED = "ConfigChanged";
    /** A launch that failed outright (no process at all) is never retried at once, even with a zero backoff. */
    private static final Duration MIN_RELAUNCH_DELAY = Duration.ofMillis(100);
    /** How long stopping waits for probe threads (an exec check being killed) before going on. */
    private static final Duration PROBES_STOP_WAIT = Duration.ofSeconds(10);
    /** How often a drain looks at the endpoints' connections. */
    private static final Duration DRAIN_POLL = Duration.ofMillis(100);

    private final String name;
    private final CodePackageManifest manifest;
    private final Host host;
    private final AgentServices services;
    private final CodePackageDriver driver;
    private final Clock clock;

    // All mutable state is guarded by this supervisor's monitor.
    private Phase phase = new Phase.Starting();
    private long generation;
    /** The last run started or adopted: what a restart first cleans up and a stop ends. */
    private RunIdentity lastRun;
    private Instant startedAt;
    private int restartCount;
    private int failures;
    private Integer lastExitCode;
    private Instant lastExitAt;
    private String lastExitReason;
    /** Why the agent is stopping the current run (a probe gave up), for the exit's reason. */
    private String killReason;
    /** The generation of a run being stopped to be started again at once (its config changed): not a failure. */
    private long restartRequested;
    private String stderrTail;
    private CodePackageCgroup cgroup;
    /** The cgroup's OOM kill count when the current run started: more at its exit means the kernel killed it. */
    private long oomKillsAtStart;
    /** The current run's probes; null while no run is live or when it has no probes. */
    private ProbeRunner probes;
    /** What the probes showed when they last stopped (or before the first run). */
    private List<ProbeStatus> probeStatuses;
    /** Probes of earlier runs that were told to stop and may still be ending (an exec check being killed). */
    private final List<ProbeRunner> stoppingProbes = new ArrayList<>();
    /** Read without the monitor by the activation when it writes its record. */
    private volatile ProcessRecord record;

    CodePackageSupervisor(CodePackageManifest manifest, Host host, AgentServices services, CodePackageDriver driver) {
        this.name = manifest.name();
        this.manifest = manifest;
        this.host = host;
        this.services = services;
        this.driver = driver;
        this.clock = services.clock();
        this.probeStatuses = ProbeRunner.initialStatuses(manifest.probes(), clock.instant());
    }

    String name() {
        return name;
    }

    ProcessRecord record() {
        return record;
    }

    synchronized Phase phase() {
        return phase;
    }

    synchronized Long pid() {
        return phase instanceof Phase.Running r ? r.run().pid() : null;
    }

    /** The first start of a fresh activation. */
    synchronized void start() {
        launch();
    }

    /**
     * After an agent restart: takes over the recorded run when it still lives (its exit code will be unknown), or
     * treats it as exited while no agent watched (and restarts it); a code package never started is started.
     */
    synchronized void recover(ProcessRecord previous) {
        cgroup = services.cgroups().existing(host.cgroupName(), name);
        if (previous == null) {
            launch();
            return;
        }
        restartCount = previous.restartCount();
        startedAt = previous.startedAt();
        lastRun = previous.identity();
        record = previous;
        Optional<DriverRun> adopted = driver.adopt(previous.identity(), cgroup);
        if (adopted.isEmpty()) {
            log.info("{} of {} (pid {}) ended while no agent watched it", name, host.cgroupName(), previous.pid());
            afterExit(null);
            return;
        }
        Instant started = previous.startedAt() == null ? clock.instant() : previous.startedAt();
        running(adopted.get(), started);
        log.info("adopted {} pid {} of {}", name, previous.pid(), host.cgroupName());
        if (!manifest.probes().isEmpty()) {
            try {
                LaunchSpec spec = host.launchSpec(name);
                startProbes(generation, cgroup == null ? spec : spec.withCgroupProcs(cgroup.procsFiles()), started);
            } catch (IOException | RuntimeException e) {
                log.warn("cannot probe adopted {} of {}: {}", name, host.cgroupName(), e.toString());
            }
        }
    }

    /**
     * Before a stop: while the run is live, waits for the established connections on {@code endpointPorts} to end,
     * for at most the code package's {@code drainTimeout}. Done once none is left twice in a row (a request can
     * still be on its way while the gateway learns that the endpoint left). Blocks; nothing to do without endpoints.
     */
    void drain(java.util.Collection<Integer> endpointPorts) {
        Duration drain = manifest.drainPeriod();
        if (endpointPorts.isEmpty() || drain.isZero()) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + drain.toNanos();
        int quiet = 0;
        int open = 0;
        try {
            while (System.nanoTime() < deadline) {
                Long pid;
                synchronized (this) {
                    pid = phase instanceof Phase.Running r ? r.run().pid() : null;
                }
                if (pid == null) {
                    return;
                }
                open = EndpointConnections.established(pid, endpointPorts);
                quiet = open == 0 ? quiet + 1 : 0;
                if (quiet >= 2) {
                    log.info("{} of {} drained in {} ms", name, host.cgroupName(), (System.nanoTime() - start) / 1_000_000);
                    return;
                }
                // Why a fixed delay: the kernel says nothing when a socket closes to a process that only watches it;
                // /proc is polled, and two quiet polls in a row end the drain.
                Thread.sleep(DRAIN_POLL);
            }
            log.info("{} of {}: drain timeout {} reached with {} connection(s) open; stopping", name, host.cgroupName(),
                    Durations.format(drain), open);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the run (TERM, grace, KILL) and removes the cgroup. Blocks; call it on a thread of its own. */
    void stop(Duration grace) {
        RunIdentity target;
        CodePackageCgroup group;
        List<ProbeRunner> ending;
        synchronized (this) {
            cancelTimers();
            stopProbes();
            phase = lastRun == null && cgroup == null ? new Phase.Stopped() : new Phase.Stopping();
            ending = List.copyOf(stoppingProbes);
            target = lastRun;
            group = cgroup;
        }
        changed();
        try {
            // Exec checks run in the code package's cgroup and write to its log folder: they must be gone before
            // the cgroup and the activation directory are removed.
            for (ProbeRunner p : ending) {
                p.awaitStopped(PROBES_STOP_WAIT);
            }
            if ((target != null || group != null) && !driver.stop(target, group, grace)) {
                log.error("{} of {}: processes survived SIGKILL", name, host.cgroupName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        CodePackageCgroup toRemove;
        synchronized (this) {
            phase = new Phase.Stopped();
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

    /**
     * Its service package's config or data packages were just refreshed: the live run gets the code package's
     * {@code onConfigChange} signal (same pid), or is stopped (TERM, grace, KILL) and started again at once, which does
     * not count as a failure. A code package not running now needs nothing: its next start reads the new files.
     */
    void configChanged() throws InterruptedException {
        OnConfigChange action = manifest.onConfigChange();
        RunIdentity run;
        synchronized (this) {
            if (!(phase instanceof Phase.Running r)) {
                return;
            }
            run = r.run();
            if (action.restarts()) {
                restartRequested = r.generation();
            }
        }
        if (action.restarts()) {
            log.info("{} of {}: its config changed; restarting it", name, host.cgroupName());
            driver.stop(run, null, services.config().stopGrace());
        } else {
            log.info("{} of {}: its config changed; sending SIG{} to pid {}", name, host.cgroupName(), action.signal(), run.pid());
            driver.signal(run, null, Signal.valueOf(action.signal()));
        }
    }

    /** Agent shutdown: stop watching and restarting, leave the run going. */
    synchronized void detach() {
        cancelTimers();
        stopProbes();
        phase = new Phase.Detached();
    }

    /**
     * Ready: running, past its startup probe and passing its readiness probe (each if it has one). The probes
     * shown are the current run's, or those of the last one while none runs.
     */
    synchronized CodePackageStatus status() {
        Long pid = null;
        boolean live = false;
        Instant nextRestartAt = null;
        State state = switch (phase) {
            case Phase.Starting s -> State.Starting;
            case Phase.Running r -> {
                pid = r.run().pid();
                live = true;
                yield State.Running;
            }
            case Phase.BackingOff b -> {
                nextRestartAt = b.restartAt();
                yield State.Backoff;
            }
            case Phase.Stopping s -> State.Stopped;
            case Phase.Stopped s -> State.Stopped;
            // A detached supervisor is only seen while the agent closes: the run goes on.
            case Phase.Detached d -> lastRun != null ? State.Running : State.Stopped;
        };
        boolean ready = live && (probes != null ? probes.ready() : manifest.probes().isEmpty());
        return new CodePackageStatus(name, state, pid, startedAt, restartCount, lastExitCode, lastExitAt, nextRestartAt,
                ready, failures, stderrTail, probes != null ? probes.statuses() : probeStatuses, lastExitReason);
    }

    /** Whether it failed its restart policy's {@code moveAfterFailures} times in a row (its replicas should move). */
    synchronized boolean failedOut() {
        return failures >= manifest.restartPolicy().moveAfterFailures();
    }

    // ---- transitions; every method below runs with the monitor held ----

    private boolean ended() {
        return phase instanceof Phase.Stopping || phase instanceof Phase.Stopped || phase instanceof Phase.Detached;
    }

    private void launch() {
        if (ended()) {
            return;
        }
        phase = new Phase.Starting();
        try {
            // Leftovers first: removing an exited runc container also removes the cgroup it ran in.
            killLeftovers();
            ensureCgroup();
            LaunchSpec spec = host.launchSpec(name);
            if (cgroup != null) {
                spec = spec.withCgroupProcs(cgroup.procsFiles());
            }
            oomKillsAtStart = cgroup == null ? 0 : cgroup.oomKills();
            DriverRun run = driver.start(spec);
            Instant now = clock.instant();
            startedAt = now;
            lastRun = run.identity();
            record = ProcessRecord.of(run.identity(), now, restartCount);
            // Record the pid before anything else can fail, so no run is ever left without a record.
            host.persist();
            running(run, now);
            log.info("started {} of {} as pid {}", name, host.cgroupName(), run.identity().pid());
            startProbes(generation, spec, now);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot start {} of {}: {}", name, host.cgroupName(), e.toString());
            lastExitCode = null;
            lastExitAt = clock.instant();
            failures++;
            noteCrashLoop();
            Duration delay = manifest.restartPolicy().delayAfter(failures);
            backOff(delay.compareTo(MIN_RELAUNCH_DELAY) < 0 ? MIN_RELAUNCH_DELAY : delay);
        }
        changed();
    }

    /** Enters Running for {@code run}: watches its exit and arms the reset of the failure count. */
    private void running(DriverRun run, Instant runStartedAt) {
        long gen = ++generation;
        Duration untilStable = Duration.between(clock.instant(), runStartedAt.plus(manifest.restartPolicy().resetAfter()));
        Timers.Scheduled reset = services.timers().schedule(untilStable.isNegative() ? Duration.ZERO : untilStable,
                () -> stable(gen));
        phase = new Phase.Running(gen, run.identity(), runStartedAt, reset);
        run.exit().whenComplete((code, e) -> services.timers().execute(() -> exited(gen, code)));
    }

    private void startProbes(long gen, LaunchSpec launched, Instant runStartedAt) {
        if (manifest.probes().isEmpty()) {
            return;
        }
        try {
            ProbeContext context = host.probeContext(name, launched);
            probes = new ProbeRunner(host.cgroupName() + "/" + name, manifest.probes(), context, runStartedAt,
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
            // Never fail the launch over its probes: the run is live and recorded already.
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
     * A startup or liveness probe gave up: stop the run (TERM, grace, KILL) as Kubernetes does; its exit then
     * counts as a failure and is restarted with the same backoff as a crash. Only the run is signalled, not the
     * cgroup, which by then may hold the next run.
     */
    private void probeGaveUp(long gen, ProbeStatus status) {
        RunIdentity run;
        String reason;
        synchronized (this) {
            if (!(phase instanceof Phase.Running r) || r.generation() != gen) {
                return;
            }
            ProbeStatus.Type type = status.type();
            int threshold = (type == ProbeStatus.Type.Startup ? manifest.probes().startup() : manifest.probes().liveness())
                    .failureThreshold();
            reason = type.name().toLowerCase(Locale.ROOT) + " probe failed " + threshold + " time(s) in a row: "
                    + status.lastMessage();
            killReason = reason;
            run = r.run();
        }
        log.warn("{} of {}: {}; restarting it", name, host.cgroupName(), reason);
        Duration grace = services.config().stopGrace();
        Thread.ofVirtual().name("capstan-probe-kill-" + host.cgroupName() + "-" + name).start(() -> {
            try {
                driver.stop(run, null, grace);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** A run that lasts {@code resetAfter} forgets earlier failures at once, not only at its eventual exit. */
    private synchronized void stable(long gen) {
        if (!(phase instanceof Phase.Running r) || r.generation() != gen || failures == 0) {
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
        if (gen != generation || phase instanceof Phase.Detached) {
            return; // a stale callback (the run was replaced) or an agent that shut down
        }
        if (phase instanceof Phase.Stopping || phase instanceof Phase.Stopped) {
            stopProbes();
            lastExitCode = exitCode;
            lastExitAt = clock.instant();
            changed();
            return;
        }
        if (restartRequested == gen) {
            restartForConfig(exitCode);
        } else {
            afterExit(exitCode);
        }
        changed();
    }

    /** The run stopped for a config change ended: start the next one now, failures in a row unchanged. */
    private void restartForConfig(Integer exitCode) {
        stopProbes();
        cancelTimers();
        lastExitCode = exitCode;
        lastExitAt = clock.instant();
        lastExitReason = CONFIG_CHANGED;
        restartCount++;
        launch();
    }

    private void afterExit(Integer exitCode) {
        stopProbes();
        cancelTimers();
        Instant now = clock.instant();
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
        if (cgroup != null && cgroup.oomKills() > oomKillsAtStart) {
            lastExitReason = OOM_KILLED;
            log.warn("{} of {} was OOM-killed at its memory limit of {} MiB", name, host.cgroupName(),
                    manifest.resources().memoryMiB());
        }
        noteCrashLoop();
        backOff(delay);
    }

    private void backOff(Duration delay) {
        if (ended()) {
            return;
        }
        if (delay.isZero()) {
            restartCount++;
            launch();
            return;
        }
        // Counted from the exit, so what the status announces is exactly the policy's delay.
        Instant restartAt = (lastExitAt == null ? clock.instant() : lastExitAt).plus(delay);
        Duration wait = Duration.between(clock.instant(), restartAt);
        long gen = generation;
        Timers.Scheduled timer = services.timers().schedule(wait.isNegative() ? Duration.ZERO : wait, () -> restartDue(gen));
        phase = new Phase.BackingOff(restartAt, timer);
    }

    private synchronized void restartDue(long gen) {
        if (gen != generation || !(phase instanceof Phase.BackingOff)) {
            return;
        }
        restartCount++;
        launch();
    }

    private void ensureCgroup() {
        if (cgroup != null && cgroup.exists() || !services.cgroups().enforced()) {
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
        if (lastRun == null && cgroup == null) {
            return;
        }
        try {
            driver.killLeftovers(lastRun, cgroup);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void cancelTimers() {
        switch (phase) {
            case Phase.BackingOff b -> b.timer().cancel();
            case Phase.Running r -> r.resetTimer().cancel();
            default -> { }
        }
    }

    private void changed() {
        services.onChange().run();
    }
}
