package io.capstan.agent;

import io.capstan.model.wire.NodeReport;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the node report when what the agent observes changes, coalescing a burst of changes into one report
 * ({@value #COALESCE_MS} ms), and at least every resync interval so a server that lost one catches up.
 */
final class Reporter implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Reporter.class);
    static final long COALESCE_MS = 100;

    private final ControlPlane controlPlane;
    private final Supplier<NodeReport> report;
    private final Duration resync;
    private final BooleanSupplier registered;
    private final ServerContact contact;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean dirty = true;

    /**
     * @param registered whether the servers know the node yet; registering signals a report anyway
     * @param contact    cuts a backoff after failed reports short once heartbeats are answered again
     */
    Reporter(ControlPlane controlPlane, Supplier<NodeReport> report, Duration resync, BooleanSupplier registered,
             ServerContact contact) {
        this.contact = contact;
        this.controlPlane = controlPlane;
        this.report = report;
        this.resync = resync;
        this.registered = registered;
    }

    /** Something observable changed; never blocks. */
    void signal() {
        lock.lock();
        try {
            dirty = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void run() {
        RetryDelay retry = new RetryDelay(Duration.ofSeconds(1), Duration.ofSeconds(10));
        boolean failing = false;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                awaitChangeOrResync();
                // Why a fixed delay: a burst of changes (an activation starting its code packages) becomes one report, not one per change.
                Thread.sleep(COALESCE_MS);
                clear();
                if (!registered.getAsBoolean()) {
                    continue; // a report for an unknown node is refused; registration signals a fresh one
                }
                try {
                    controlPlane.report(report.get());
                    retry.reset();
                    if (failing) {
                        log.info("reports reach the servers again");
                        failing = false;
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    if (!failing) {
                        log.warn("cannot send the node report: {}", e.toString());
                        failing = true;
                    }
                    signal(); // still unsent
                    // The server is unreachable: back off (1s doubling to 10s) rather than hammer it, until it answers again.
                    contact.backOff(retry.next());
                }
            }
        } catch (InterruptedException e) {
            // Closing.
        }
    }

    private void awaitChangeOrResync() throws InterruptedException {
        lock.lock();
        try {
            long left = resync.toNanos();
            while (!dirty && left > 0) {
                left = changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private void clear() {
        lock.lock();
        try {
            dirty = false;
        } finally {
            lock.unlock();
        }
    }
}
