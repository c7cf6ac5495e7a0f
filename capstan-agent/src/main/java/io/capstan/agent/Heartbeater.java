package io.capstan.agent;

import io.capstan.model.cluster.NodeDescription;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the node, then heartbeats every interval, or less often when the server asks (it spreads a large
 * cluster's heartbeats so the leader absorbs a bounded rate); registers again whenever a server no longer knows it.
 */
final class Heartbeater implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Heartbeater.class);

    private final ControlPlane controlPlane;
    private final Supplier<NodeDescription> description;
    private final Duration interval;
    private final Runnable onRegistered;
    private volatile boolean registered;

    Heartbeater(ControlPlane controlPlane, Supplier<NodeDescription> description, Duration interval, Runnable onRegistered) {
        this.controlPlane = controlPlane;
        this.description = description;
        this.interval = interval;
        this.onRegistered = onRegistered;
    }

    boolean registered() {
        return registered;
    }

    @Override
    public void run() {
        RetryDelay retry = new RetryDelay(Duration.ofSeconds(1), Duration.ofSeconds(10));
        boolean failing = false;
        Duration next = interval;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    if (!registered) {
                        NodeDescription d = description.get();
                        controlPlane.register(d);
                        registered = true;
                        log.info("node {} registered", d.name());
                        onRegistered.run();
                    } else {
                        var asked = controlPlane.heartbeat(description.get().name());
                        if (asked.isEmpty()) {
                            log.info("the server does not know node {}: registering again", description.get().name());
                            registered = false;
                            continue;
                        }
                        next = asked.get().compareTo(interval) > 0 ? asked.get() : interval;
                    }
                    retry.reset();
                    if (failing) {
                        log.info("the servers answer again");
                        failing = false;
                    }
                    // Why a fixed delay: heartbeats are periodic by definition: the configured period, or the server's.
                    Thread.sleep(next);
                } catch (java.io.IOException | RuntimeException e) {
                    if (!failing) {
                        log.warn("{} failed: {}", registered ? "heartbeat" : "registration", e.toString());
                        failing = true;
                    }
                    // Why a fixed delay: keep the heartbeat period while registered; back off while registration fails.
                    Thread.sleep(registered ? next : retry.next());
                }
            }
        } catch (InterruptedException e) {
            // Closing.
        }
    }
}
