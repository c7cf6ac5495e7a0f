package io.capstan.gateway;

import java.time.Duration;

/**
 * How failed attempts are retried: up to {@code maxAttempts} in all, after an exponential backoff from
 * {@code baseBackoff} capped at {@code maxBackoff} with full jitter, while the retry budget allows (retries at most
 * {@code budgetPercent} % of requests, plus {@code budgetReserve} retries to start from).
 */
public record RetryPolicy(int maxAttempts, Duration baseBackoff, Duration maxBackoff, int budgetPercent, int budgetReserve) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(20), Duration.ofSeconds(1), 20, 10);
    }

    /** The backoff before retry number {@code retry} (1 for the first retry), drawn uniformly from [0, cap]. */
    public Duration backoff(int retry, double random) {
        long cap = Math.min(maxBackoff.toNanos(), baseBackoff.toNanos() << Math.min(retry - 1, 20));
        return Duration.ofNanos((long) (cap * random));
    }
}
