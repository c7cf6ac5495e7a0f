package io.capstan.server.control;

import java.time.Duration;

/**
 * How often agents heartbeat and how long the leader waits before a silent node is Down, scaled with the
 * cluster's size as Nomad scales its heartbeat TTL, so the leader absorbs at most {@code maxBeatsPerSecond}:
 * <pre>
 *   interval(N)  = max(baseInterval, N / maxBeatsPerSecond)
 *   downAfter(N) = max(baseDownAfter, 3 × interval(N))
 * </pre>
 * With the defaults (1 s, 3 s, 2,000 beats/s) clusters of up to 2,000 nodes keep 1 s and 3 s; 10,000 nodes
 * heartbeat every 5 s and are Down after 15 s of silence.
 */
public record HeartbeatPolicy(Duration baseInterval, Duration baseDownAfter, int maxBeatsPerSecond) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_BEATS_PER_SECOND = 2_000;

    public HeartbeatPolicy {
        if (maxBeatsPerSecond < 1) {
            throw new IllegalArgumentException("maxBeatsPerSecond must be at least 1, was " + maxBeatsPerSecond);
        }
    }

    /** The default interval and rate, with the operator's down-after grace. */
    public static HeartbeatPolicy withDownAfter(Duration downAfter) {
        return new HeartbeatPolicy(DEFAULT_INTERVAL, downAfter, DEFAULT_MAX_BEATS_PER_SECOND);
    }

    public Duration interval(int nodes) {
        Duration scaled = Duration.ofMillis(1000L * nodes / maxBeatsPerSecond);
        return scaled.compareTo(baseInterval) > 0 ? scaled : baseInterval;
    }

    public Duration downAfter(int nodes) {
        Duration scaled = interval(nodes).multipliedBy(3);
        return scaled.compareTo(baseDownAfter) > 0 ? scaled : baseDownAfter;
    }
}
