package io.capstan.agent;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The node's lease with the cluster (Service Fabric's): each heartbeat answer from the leader renews it for the lease
 * the answer states ({@code downAfterMillis}), counted from the moment that heartbeat was <em>sent</em>, so it never
 * outlasts the leader's own view of the node's silence. Measured on the monotonic clock. Until the first answer the
 * lease is not held: a restarted agent cannot know what the cluster decided while no agent watched. An answer that
 * states no lease (an older server) grants one without end, as such a server does not wait for one either.
 */
final class NodeLease {

    private final LongSupplier nanoTime;
    // Guarded by this.
    private boolean granted;
    private long expiresAtNanos;

    NodeLease(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Now on the lease's clock: read it before sending the heartbeat whose answer renews the lease. */
    long now() {
        return nanoTime.getAsLong();
    }

    /** A heartbeat sent at {@code sentAtNanos} was answered with {@code lease} (zero or less: no lease stated). */
    synchronized void renew(long sentAtNanos, Duration lease) {
        long until = lease.isZero() || lease.isNegative() ? Long.MAX_VALUE : sentAtNanos + lease.toNanos();
        // A slow answer to an older beat never shortens what a newer one granted.
        expiresAtNanos = granted ? Math.max(expiresAtNanos, until) : until;
        granted = true;
        notifyAll();
    }

    synchronized boolean held() {
        return granted && nanoTime.getAsLong() - expiresAtNanos < 0;
    }

    /** Waits until the lease is lost (returns at once if it is not held). */
    synchronized void awaitLoss() throws InterruptedException {
        while (held()) {
            long left = expiresAtNanos - nanoTime.getAsLong();
            if (expiresAtNanos == Long.MAX_VALUE) {
                wait();
            } else {
                // Object.wait takes millis: round up so the wake-up is never early, then check again.
                wait(Math.max(1, (left + 999_999) / 1_000_000));
            }
        }
    }

    /** Waits until the lease is held, or {@code timeout} passed; says whether it is held. */
    synchronized boolean awaitHeld(Duration timeout) throws InterruptedException {
        long deadline = nanoTime.getAsLong() + timeout.toNanos();
        while (!held()) {
            long left = deadline - nanoTime.getAsLong();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
