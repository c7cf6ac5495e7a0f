package io.capstan.agent;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Real-time {@link Timers}: one timer thread only keeps the deadlines; every task runs on its own virtual thread,
 * so a launch that waits (killing a previous run's leftovers, a slow fork) never holds up another code package's
 * restart on the same node.
 */
final class ExecutorTimers implements Timers, AutoCloseable {

    private final ScheduledThreadPoolExecutor deadlines;
    private final String threadPrefix;
    private volatile boolean closed;

    ExecutorTimers(String name) {
        this.threadPrefix = "capstan-supervise-" + name;
        this.deadlines = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "capstan-timers-" + name);
            t.setDaemon(true);
            return t;
        });
        deadlines.setRemoveOnCancelPolicy(true);
    }

    @Override
    public Scheduled schedule(Duration delay, Runnable task) {
        if (closed) {
            return () -> { };
        }
        try {
            ScheduledFuture<?> f = deadlines.schedule(() -> execute(task), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
            return () -> f.cancel(false);
        } catch (RejectedExecutionException e) {
            return () -> { }; // closing: the next agent takes over
        }
    }

    @Override
    public void execute(Runnable task) {
        if (!closed) {
            Thread.ofVirtual().name(threadPrefix).start(task);
        }
    }

    /** Periodic housekeeping (log rotation) on the timer thread itself: it is short and must not pile up. */
    void every(Duration period, Runnable task) {
        long ms = period.toMillis();
        deadlines.scheduleWithFixedDelay(task, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closed = true;
        deadlines.shutdownNow();
    }
}
