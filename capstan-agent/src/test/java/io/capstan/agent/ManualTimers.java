package io.capstan.agent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A clock that stands still until a test moves it, and timers that fire (on the test's thread) only when it passes
 * their deadline. {@link #execute} still runs at once, on a virtual thread: exits of real processes arrive there.
 */
final class ManualTimers extends Clock implements Timers {

    private record Task(Instant due, Runnable run, boolean[] cancelled) { }

    private final List<Task> tasks = new ArrayList<>();
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    /** Moves the clock on by {@code d}, running every task that falls due, in deadline order. */
    void advance(Duration d) {
        Instant target;
        synchronized (this) {
            target = now.plus(d);
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> !t.due().isAfter(target)).min(Comparator.comparing(Task::due)).orElse(null);
                if (next == null) {
                    now = target;
                    return;
                }
                tasks.remove(next);
                if (next.due().isAfter(now)) {
                    now = next.due();
                }
            }
            if (!next.cancelled()[0]) {
                next.run().run();
            }
        }
    }

    @Override
    public synchronized Scheduled schedule(Duration delay, Runnable task) {
        boolean[] cancelled = {false};
        tasks.add(new Task(now.plus(delay), task, cancelled));
        return () -> cancelled[0] = true;
    }

    @Override
    public void execute(Runnable task) {
        Thread.ofVirtual().start(task);
    }

    @Override
    public synchronized Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a manual clock stays in UTC");
    }
}
