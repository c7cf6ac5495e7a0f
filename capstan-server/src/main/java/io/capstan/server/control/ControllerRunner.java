package io.capstan.server.control;

import io.capstan.state.ClusterStore;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the leader controllers when this server becomes leader and interrupts them when it stops
 * being leader; a controller that fails is restarted. A leadership term is a generation number: a controller of an old term sees
 * {@code stillLeader} turn false even if the server regains leadership meanwhile.
 */
public final class ControllerRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControllerRunner.class);

    private static final java.time.Duration RESTART_PAUSE = java.time.Duration.ofSeconds(1);

    private final List<LeaderController> controllers;
    private final AtomicLong generation = new AtomicLong();
    private volatile List<Thread> running = List.of();
    private volatile boolean closed;

    public ControllerRunner(ClusterStore store, List<LeaderController> controllers) {
        this.controllers = List.copyOf(controllers);
        store.onLeadershipChange(this::leadershipChanged);
    }

    private synchronized void leadershipChanged(boolean leader) {
        long term = generation.incrementAndGet();
        running.forEach(Thread::interrupt);
        running = List.of();
        if (!leader || closed) {
            return;
        }
        java.util.function.BooleanSupplier stillLeader = () -> generation.get() == term && !closed;
        running = controllers.stream().map(c -> Thread.ofVirtual().name("controller-" + c.name()).start(() -> {
            while (stillLeader.getAsBoolean()) {
                try {
                    c.runWhileLeader(stillLeader);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.error("controller {} failed; restarting it in {}", c.name(), RESTART_PAUSE, e);
                    try {
                        Thread.sleep(RESTART_PAUSE); // a pause so a persistent bug does not spin the CPU
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        })).toList();
    }

    @Override
    public synchronized void close() {
        closed = true;
        generation.incrementAndGet();
        running.forEach(Thread::interrupt);
    }
}
