package io.capstan.model.manifest;

import java.time.Duration;

/**
 * How a code package that exits (or fails its liveness probe) is restarted: the first restart at once,
 * then after {@code initialDelay} doubling to {@code maxDelay}; a run of {@code resetAfter} forgets
 * earlier failures. After {@code moveAfterFailures} consecutive failures the replicas it hosts are
 * reported Down and placed on another node.
 */
public record RestartPolicy(Duration initialDelay, Duration maxDelay, Duration resetAfter, int moveAfterFailures) {

    private static final Duration DEFAULT_INITIAL = Duration.ofSeconds(1);
    private static final Duration DEFAULT_MAX = Duration.ofSeconds(60);
    private static final Duration DEFAULT_RESET = Duration.ofSeconds(60);

    /** Defaults: Kubernetes-like doubling from 1s, capped at 60s (Kubernetes caps at 5 minutes), move after 5 failures. */
    public static final RestartPolicy DEFAULT = new RestartPolicy(DEFAULT_INITIAL, DEFAULT_MAX, DEFAULT_RESET, 5);

    public RestartPolicy {
        initialDelay = initialDelay == null ? DEFAULT_INITIAL : initialDelay;
        maxDelay = maxDelay == null ? (initialDelay.compareTo(DEFAULT_MAX) > 0 ? initialDelay : DEFAULT_MAX) : maxDelay;
        resetAfter = resetAfter == null ? DEFAULT_RESET : resetAfter;
        if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0 || resetAfter.isNegative()) {
            throw new IllegalArgumentException("restart policy needs 0 <= initialDelay <= maxDelay and resetAfter >= 0, got "
                    + initialDelay + ", " + maxDelay + ", " + resetAfter);
        }
        if (moveAfterFailures < 1) {
            throw new IllegalArgumentException("moveAfterFailures must be at least 1, was " + moveAfterFailures);
        }
    }

    /**
     * The delay before the restart that follows the {@code failures}-th consecutive failure (1-based):
     * 0, initialDelay, 2 × initialDelay, 4 × initialDelay, ... capped at maxDelay.
     */
    public Duration delayAfter(int failures) {
        if (failures <= 1 || initialDelay.isZero()) {
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
