package io.capstan.agent;

import java.time.Duration;

/**
 * When to restart a code package that exited: the first restart at once, then after {@code initialDelay},
 * doubling up to {@code maxDelay}; the failure count resets once a run lasted {@code resetAfter}.
 */
public record RestartBackoff(Duration initialDelay, Duration maxDelay, Duration resetAfter) {

    public static final RestartBackoff DEFAULT =
            new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(60));

    public RestartBackoff {
        if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0 || resetAfter.isNegative()) {
            throw new IllegalArgumentException("restart backoff needs 0 <= initialDelay <= maxDelay and resetAfter >= 0, got "
                    + initialDelay + ", " + maxDelay + ", " + resetAfter);
        }
    }

    /**
     * The delay before the restart that follows the {@code failures}-th consecutive exit (1-based):
     * 0, initial, 2 × initial, 4 × initial, ... capped at maxDelay.
     */
    public Duration delayAfter(int failures) {
        if (failures <= 1) {
            return Duration.ZERO;
        }
        Duration delay = initialDelay;
        for (int i = 2; i < failures; i++) {
            delay = delay.multipliedBy(2);
            if (delay.compareTo(maxDelay) >= 0) {
                return maxDelay;
            }
        }
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }

    /** Whether a run that lasted {@code uptime} was stable long enough to forget earlier failures. */
    public boolean resets(Duration uptime) {
        return uptime.compareTo(resetAfter) >= 0;
    }
}
