package io.capstan.agent;

import java.time.Duration;

/**
 * How code package logs are kept: a file over {@code maxBytes} is copied to {@code .1} (older ones shift up to
 * {@code keep}) and truncated in place, checked every {@code checkInterval}.
 */
public record LogRotation(long maxBytes, int keep, Duration checkInterval) {

    public static final LogRotation DEFAULT = new LogRotation(10L * 1024 * 1024, 3, Duration.ofSeconds(5));

    public LogRotation {
        if (maxBytes <= 0 || keep < 0 || checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("log rotation needs maxBytes > 0, keep >= 0 and a positive interval");
        }
    }
}
