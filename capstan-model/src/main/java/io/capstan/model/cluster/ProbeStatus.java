package io.capstan.model.cluster;

import java.time.Instant;

/**
 * The latest outcome of one probe of a code package: whether it currently counts as passing (after
 * its thresholds), how many checks failed in a row, what the last check said, and since when it is in
 * its current state.
 */
public record ProbeStatus(Type type, boolean passing, int consecutiveFailures, String lastMessage, Instant since) {

    /** Which probe. */
    public enum Type { Startup, Liveness, Readiness }
}
