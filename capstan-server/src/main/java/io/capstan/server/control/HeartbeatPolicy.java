package io.capstan.server.control;

import java.time.Duration;

/**
 * How often agents heartbeat and how long the leader waits before a silent node is Down, scaled with the
 * cluster's size as Nomad scales its heartbeat TTL, so the leader absorbs at most {@code maxBeatsPerSecond}:
 * <pre>
 *   interval(N)  = max(baseInterval, N / maxBeatsPerSecond)
 *   downAfter(N) = max(baseDownAfter, 3 × interval(N))
 * </pre>
 * With the defaults (1 s, 3 s, 500 beats/s) clusters of up to 500 nodes keep 1 s and 3 s; 10,000 nodes
 * heartbeat every 20 s and are Down after 60 s of silence (Nomad: 200 s at its default 50 beats/s; Kubernetes:
 * 40 s whatever the size). Why 500: the scale benchmark measured 900 to 1,400 beats/s absorbed by a 2-core server
 * that was also placing, and at 2,000/s heartbeats took most of its cpu, so healthy nodes were marked Down.
 *
 * <p>Fencing (Service Fabric's leases): every heartbeat answer renews the agent's lease for {@code lease(N)} from the
 * moment the agent sent that heartbeat; an agent cut off for longer demotes the Primaries it hosts. The leader
 * promotes another Primary for a partition whose Primary is on a Down node only once
 * {@code last heard + lease(N) + leaseMargin(N)} has passed:
 * <pre>
 *   lease(N)       = downAfter(N)                        (the agent holds as long as the leader counts it alive)
 *   leaseMargin(N) = interval(N) + lease(N) / 10         (a beat in flight and the agent's own scheduling;
 *                                                         a tenth of the lease for clock drift and pauses)
 * </pre>
 * With the defaults: a 3 s lease and a 1.3 s margin, so a Down node's Primary moves at the earliest 4.3 s after
 * its last heartbeat (the node itself is Down from 3 s on).
 */
public record HeartbeatPolicy(Duration baseInterval, Duration baseDownAfter, int maxBeatsPerSecond) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_BEATS_PER_SECOND = 500;

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

    /** How long a heartbeat answer lets an agent keep its Primaries serving, counted from when it sent that beat. */
    public Duration lease(int nodes) {
        return downAfter(nodes);
    }

    /** What the leader waits beyond a silent node's lease before its Primaries count as surely demoted. */
    public Duration leaseMargin(int nodes) {
        return interval(nodes).plus(lease(nodes).dividedBy(10));
    }
}
