package io.capstan.agent.probe;

import io.capstan.model.cluster.ProbeStatus;
import io.capstan.model.manifest.ProbeSpec;
import java.time.Instant;

/**
 * The thresholds of one probe (Kubernetes semantics): a probe that is not passing passes after
 * {@code successThreshold} successful checks in a row, a passing one fails after {@code failureThreshold} failed
 * checks in a row. A startup or liveness probe that reaches its failure threshold has {@linkplain Outcome#gaveUp()
 * given up}: the code package must be restarted. Not thread-safe; its owner guards it.
 */
public final class ProbeState {

    /** What the message of a probe that has not checked anything yet says. */
    public static final String NOT_CHECKED = "not checked yet";

    /** What one check changed: whether the probe started or stopped passing, and whether it gave up. */
    public record Outcome(boolean flipped, boolean gaveUp) {
    }

    private final ProbeStatus.Type type;
    private final ProbeSpec spec;
    private boolean passing;
    private int failures;
    private int successes;
    private String lastMessage;
    private Instant since;

    /**
     * A probe of a new process. Startup and readiness start failing ("not checked yet"). Liveness starts passing,
     * as in Kubernetes, unless the previous process's liveness probe was failing: that failure (and its message)
     * stays visible until this process's first passing check, so a restart caused by it is never hidden.
     */
    public ProbeState(ProbeStatus.Type type, ProbeSpec spec, ProbeStatus previous, Instant now) {
        this.type = type;
        this.spec = spec;
        if (type == ProbeStatus.Type.Liveness && previous != null && !previous.passing()) {
            this.passing = false;
            this.lastMessage = previous.lastMessage();
            this.since = previous.since();
        } else {
            this.passing = type == ProbeStatus.Type.Liveness;
            this.lastMessage = NOT_CHECKED;
            this.since = now;
        }
    }

    /** Counts one check. */
    public Outcome record(ProbeResult result, Instant now) {
        lastMessage = result.message();
        boolean flipped = false;
        if (result.passed()) {
            failures = 0;
            successes++;
            if (!passing && successes >= spec.successThreshold()) {
                passing = true;
                since = now;
                flipped = true;
            }
            return new Outcome(flipped, false);
        }
        successes = 0;
        failures++;
        if (failures < spec.failureThreshold()) {
            return new Outcome(false, false);
        }
        if (passing) {
            passing = false;
            since = now;
            flipped = true;
        }
        return new Outcome(flipped, type != ProbeStatus.Type.Readiness);
    }

    public boolean passing() {
        return passing;
    }

    public ProbeStatus.Type type() {
        return type;
    }

    public ProbeSpec spec() {
        return spec;
    }

    public ProbeStatus status() {
        return new ProbeStatus(type, passing, failures, lastMessage, since);
    }
}
