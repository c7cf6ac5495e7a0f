package io.capstan.server.health;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sequence numbers for reports sent without one: the server's clock in microseconds, so a later report
 * replaces an earlier one, and never lower than a number handed out before, even if the clock steps back.
 */
public final class HealthSequence {

    private final Clock clock;
    private final AtomicLong last = new AtomicLong();

    public HealthSequence(Clock clock) {
        this.clock = clock;
    }

    /** The next number, at least {@code atLeast} (one above what the state holds for the same report). */
    public long next(long atLeast) {
        Instant t = clock.instant();
        long micros = t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
        return last.updateAndGet(prev -> Math.max(Math.max(prev + 1, micros), atLeast));
    }
}
