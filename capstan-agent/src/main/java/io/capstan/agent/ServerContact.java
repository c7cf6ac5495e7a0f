package io.capstan.agent;

import java.time.Duration;

/**
 * Tells the agent's loops that the servers answer again: the heartbeat loop says so at its first answer after failures,
 * and the loops backing off after failures of their own (assignment query, reports) retry at once instead of sleeping
 * out their backoff, so a node back from a partition reconciles within a heartbeat rather than up to ten seconds.
 */
final class ServerContact {

    // Guarded by this.
    private long reconnections;

    synchronized void reconnected() {
        reconnections++;
        notifyAll();
    }

    /** Sleeps {@code delay}, or less if the servers answer again meanwhile. */
    synchronized void backOff(Duration delay) throws InterruptedException {
        long seen = reconnections;
        long deadline = System.nanoTime() + delay.toNanos();
        while (reconnections == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
