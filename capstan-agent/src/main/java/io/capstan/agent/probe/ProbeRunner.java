package io.capstan.agent.probe;

import io.capstan.model.cluster.ProbeStatus;
import io.capstan.model.manifest.CodePackageProbes;
import io.capstan.model.manifest.ProbeSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the probes of one process of a code package, each on its own virtual thread for the life of the process:
 * wait {@code initialDelay} after the process started, then check every {@code period}. Until the startup probe
 * passes, liveness and readiness wait; once it passes it stops. The listener hears only of transitions (a probe
 * starts or stops passing) and of a startup or liveness probe giving up, never of every check, so reports stay
 * rare. {@link #stop()} ends every thread (an exec check in flight is killed); a new process gets a new runner.
 */
public final class ProbeRunner {

    /** What the code package's runner is told; called on probe threads, without any lock of this runner held. */
    public interface Listener {
        /** A probe started or stopped passing (so readiness may have changed). */
        void transitioned(ProbeStatus status);

        /** A startup or liveness probe failed its failure threshold in a row: the process must be restarted. */
        void gaveUp(ProbeStatus status);
    }

    private static final Logger log = LoggerFactory.getLogger(ProbeRunner.class);

    private final String name;
    private final ProbeContext context;
    private final Instant processStartedAt;
    private final ProbeChecker checker;
    private final Listener listener;
    private final CountDownLatch startupPassed;
    /** Guarded by this; in declaration order: startup, liveness, readiness. */
    private final Map<ProbeStatus.Type, ProbeState> states = new EnumMap<>(ProbeStatus.Type.class);
    private final List<Thread> threads = new ArrayList<>();
    private boolean stopped;

    /**
     * @param previous the statuses the previous process's probes ended with (empty for the first process)
     */
    public ProbeRunner(String name, CodePackageProbes probes, ProbeContext context, Instant processStartedAt,
                       List<ProbeStatus> previous, ProbeChecker checker, Listener listener) {
        this.name = name;
        this.context = context;
        this.processStartedAt = processStartedAt;
        this.checker = checker;
        this.listener = listener;
        this.startupPassed = new CountDownLatch(probes.startup() == null ? 0 : 1);
        Instant now = Instant.now();
        add(ProbeStatus.Type.Startup, probes.startup(), previous, now);
        add(ProbeStatus.Type.Liveness, probes.liveness(), previous, now);
        add(ProbeStatus.Type.Readiness, probes.readiness(), previous, now);
    }

    /** What the declared probes of a code package show before its first process runs. */
    public static List<ProbeStatus> initialStatuses(CodePackageProbes probes, Instant now) {
        List<ProbeStatus> out = new ArrayList<>();
        if (probes.startup() != null) {
            out.add(new ProbeState(ProbeStatus.Type.Startup, probes.startup(), null, now).status());
        }
        if (probes.liveness() != null) {
            out.add(new ProbeState(ProbeStatus.Type.Liveness, probes.liveness(), null, now).status());
        }
        if (probes.readiness() != null) {
            out.add(new ProbeState(ProbeStatus.Type.Readiness, probes.readiness(), null, now).status());
        }
        return out;
    }

    private void add(ProbeStatus.Type type, ProbeSpec spec, List<ProbeStatus> previous, Instant now) {
        if (spec != null) {
            ProbeStatus before = previous.stream().filter(p -> p.type() == type).findFirst().orElse(null);
            states.put(type, new ProbeState(type, spec, before, now));
        }
    }

    /** Starts one thread per declared probe. */
    public synchronized void start() {
        if (stopped || !threads.isEmpty()) {
            return;
        }
        for (ProbeState s : states.values()) {
            threads.add(Thread.ofVirtual().name("capstan-probe-" + name + "-" + s.type())
                    .start(() -> loop(s.type(), s.spec())));
        }
    }

    /** Ends every probe thread; returns at once (see {@link #awaitStopped}). Idempotent. */
    public synchronized void stop() {
        stopped = true;
        threads.forEach(Thread::interrupt);
    }

    /** Waits up to {@code timeout} for the probe threads (and the exec checks they kill) to end. */
    public void awaitStopped(Duration timeout) throws InterruptedException {
        List<Thread> ts;
        synchronized (this) {
            ts = List.copyOf(threads);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : ts) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                log.warn("a probe of {} is still running after {}", name, timeout);
                return;
            }
        }
    }

    /** Whether every probe thread has ended (after {@link #stop()}, or because each gave up or finished). */
    public synchronized boolean ended() {
        return threads.stream().noneMatch(Thread::isAlive);
    }

    /** The declared probes' statuses, startup, liveness, readiness. */
    public synchronized List<ProbeStatus> statuses() {
        return states.values().stream().map(ProbeState::status).toList();
    }

    /** Past its startup probe (or it has none) and passing its readiness probe (or it has none). */
    public synchronized boolean ready() {
        ProbeState startup = states.get(ProbeStatus.Type.Startup);
        ProbeState readiness = states.get(ProbeStatus.Type.Readiness);
        return (startup == null || startup.passing()) && (readiness == null || readiness.passing());
    }

    private void loop(ProbeStatus.Type type, ProbeSpec spec) {
        try {
            sleepUntil(processStartedAt.plus(spec.initialDelay()));
            if (type != ProbeStatus.Type.Startup) {
                startupPassed.await();
            }
            while (true) {
                long started = System.nanoTime();
                ProbeResult result = checker.check(spec, type, context);
                ProbeState.Outcome outcome;
                ProbeStatus status;
                boolean startupDone;
                synchronized (this) {
                    if (stopped) {
                        return;
                    }
                    ProbeState state = states.get(type);
                    outcome = state.record(result, Instant.now());
                    status = state.status();
                    startupDone = type == ProbeStatus.Type.Startup && state.passing();
                }
                if (startupDone) {
                    startupPassed.countDown();
                }
                if (outcome.flipped()) {
                    log.info("{} probe of {} {}: {}", type, name, status.passing() ? "passes" : "fails", result.message());
                    listener.transitioned(status);
                }
                if (outcome.gaveUp()) {
                    listener.gaveUp(status);
                    return;
                }
                if (startupDone) {
                    return;
                }
                // Why a fixed delay: the probe's period, counted from the start of the previous check as Kubernetes does.
                Thread.sleep(Math.max(0, spec.period().toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
            }
        } catch (InterruptedException e) {
            // Stopped: the process ended or the agent is shutting down.
        } catch (RuntimeException e) {
            log.error("the {} probe of {} stopped", type, name, e);
        }
    }

    private static void sleepUntil(Instant when) throws InterruptedException {
        long ms = Duration.between(Instant.now(), when).toMillis();
        if (ms > 0) {
            // Why a fixed delay: the probe's initialDelay after the process started.
            Thread.sleep(ms);
        }
    }
}
