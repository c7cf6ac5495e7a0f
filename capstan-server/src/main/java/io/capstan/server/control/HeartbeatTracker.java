package io.capstan.server.control;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last heartbeat of each node, kept in memory and never in the log (as Nomad does): only
 * transitions such as Up → Down are committed.
 */
public final class HeartbeatTracker {

    private final Clock clock;
    private final Map<String, Instant> last = new ConcurrentHashMap<>();

    public HeartbeatTracker(Clock clock) {
        this.clock = clock;
    }

    public void beat(String node) {
        last.put(node, clock.instant());
    }

    /** A removed node's heartbeats are no longer tracked. */
    public void forget(String node) {
        last.remove(node);
    }

    public Optional<Instant> lastHeartbeat(String node) {
        return Optional.ofNullable(last.get(node));
    }
}
