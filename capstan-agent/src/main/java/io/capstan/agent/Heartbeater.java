package io.capstan.agent;

import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.wire.NodeCommand;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the node, then heartbeats every interval, or less often when the server asks (it spreads a large
 * cluster's heartbeats so the leader absorbs a bounded rate); registers again whenever a server no longer knows it.
 * Every heartbeat answer renews the node's {@link NodeLease} for the lease it states, from when that beat was sent;
 * while the lease is lost, failed heartbeats are retried four times as often.
 */
final class Heartbeater implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Heartbeater.class);

    private final ControlPlane controlPlane;
    private final Supplier<NodeDescription> description;
    private final Duration interval;
    private final Runnable onRegistered;
    private final Consumer<NodeCommand> commands;
    private final NodeLease lease;
    private final ServerContact contact;
    private volatile boolean registered;

    /** @param commands takes each operator command a heartbeat answer brings (must not block) */
    Heartbeater(ControlPlane controlPlane, Supplier<NodeDescription> description, Duration interval, Runnable onRegistered,
                Consumer<NodeCommand> commands, NodeLease lease, ServerContact contact) {
        this.commands = commands;
        this.contact = contact;
        this.lease = lease;
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
                        // Beat at once: the answer brings the lease, which a freshly started agent does not hold yet.
                        continue;
                    } else {
                        long sentAt = lease.now();
                        var asked = controlPlane.heartbeat(description.get().name());
                        if (asked.isEmpty()) {
                            log.info("the server does not know node {}: registering again", description.get().name());
                            // Registered again after the usual pause: it beats at once afterwards, so no tight loop.
                            registered = false;
                        } else {
                            lease.renew(sentAt, Duration.ofMillis(asked.get().downAfterMillis()));
                            Duration askedFor = Duration.ofMillis(Math.max(0, asked.get().nextHeartbeatMillis()));
                            next = askedFor.compareTo(interval) > 0 ? askedFor : interval;
                            asked.get().commands().forEach(commands);
                        }
                    }
                    retry.reset();
                    if (failing) {
                        log.info("the servers answer again");
                        failing = false;
                        contact.reconnected();
                    }
                    // Why a fixed delay: heartbeats are periodic by definition: the configured period, or the server's.
                    Thread.sleep(next);
                } catch (java.io.IOException | RuntimeException e) {
                    if (!failing) {
                        log.warn("{} failed: {}", registered ? "heartbeat" : "registration", e.toString());
                        failing = true;
                    }
                    // Why a fixed delay: keep the heartbeat period while registered (a quarter of it once the lease is
                    // lost, so fenced Primaries serve again soon after the link heals); back off while registration fails.
                    Thread.sleep(!registered ? retry.next() : lease.held() ? next : next.dividedBy(4));
                }
            }
        } catch (InterruptedException e) {
            // Closing.
        }
    }
}
