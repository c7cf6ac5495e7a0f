package io.capstan.agent;

import io.capstan.model.cluster.NodeDescription;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Registers the node, then heartbeats every interval; registers again whenever a server no longer knows it. */
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
        try {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    if (!registered) {
                        NodeDescription d = description.get();
                        controlPlane.register(d);
                        registered = true;
                        log.info("node {} registered", d.name());
                        onRegistered.run();
                    } else if (!controlPlane.heartbeat(description.get().name())) {
                        log.info("the server does not know node {}: registering again", description.get().name());
                        registered = false;
                        continue;
                    }
                    retry.reset();
                    if (failing) {
                        log.info("the servers answer again");
                        failing = false;
                    }
                    // Why a fixed delay: heartbeats are periodic by definition; the interval is the configured heartbeat period.
                    Thread.sleep(interval);
                } catch (java.io.IOException | RuntimeException e) {
                    if (!failing) {
                        log.warn("{} failed: {}", registered ? "heartbeat" : "registration", e.toString());
                        failing = true;
                    }
                    // Why a fixed delay: keep the heartbeat period while registered; back off while registration fails.
                    Thread.sleep(registered ? interval : retry.next());
                }
            }
        } catch (InterruptedException e) {
            // Closing.
        }
    }
}
