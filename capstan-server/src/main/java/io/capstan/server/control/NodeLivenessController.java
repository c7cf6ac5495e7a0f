package io.capstan.server.control;

import io.capstan.model.Durations;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's failure detector: a node whose agent has not been heard from for {@code downAfter} is
 * marked Down, which makes its replicas Down and lets placement move them. Heartbeats stay in memory;
 * only the Up → Down transition is committed. A new leader gives every node a full grace period
 * from the moment it took over, since it has no heartbeat history of its own; in a group of several servers, also
 * {@link #FAILOVER_GRACE} on top (Nomad's failover_heartbeat_ttl, bounded), the time agents need to notice their
 * server is gone and find the new leader.
 */
public final class NodeLivenessController implements LeaderController {

    private static final Logger LOG = LoggerFactory.getLogger(NodeLivenessController.class);

    /**
     * After a change of leader, how much longer than the down-after a node may stay silent: an agent's heartbeat to a
     * dead server times out (2 s to connect, 2 s to answer), then it tries the next server, which may not know the new
     * leader yet (one more interval).
     */
    public static final Duration FAILOVER_GRACE = Duration.ofSeconds(10);

    private final ClusterStore store;
    private final HeartbeatTracker heartbeats;
    private final Clock clock;
    private final HeartbeatPolicy policy;

    public NodeLivenessController(ClusterStore store, HeartbeatTracker heartbeats, Clock clock, HeartbeatPolicy policy) {
        this.store = store;
        this.heartbeats = heartbeats;
        this.clock = clock;
        this.policy = policy;
    }

    @Override
    public String name() {
        return "node-liveness";
    }

    @Override
    public void runWhileLeader(BooleanSupplier stillLeader) throws InterruptedException {
        Instant leaderSince = clock.instant();
        Instant failoverUntil = store.members().size() > 1 ? leaderSince.plus(FAILOVER_GRACE) : leaderSince;
        while (stillLeader.getAsBoolean()) {
            Instant now = clock.instant();
            var nodes = store.snapshot().nodes();
            Duration downAfter = policy.downAfter(nodes.size());
            for (NodeRecord node : nodes.values()) {
                if (node.status() == NodeStatus.Down) {
                    continue;
                }
                // Silence counts from the newest of: the last beat, this leader's start, and the node's last status
                // change (a node registered a moment ago has not beaten yet, and its registration is a sign of life).
                Instant floor = node.since() != null && node.since().isAfter(leaderSince) ? node.since() : leaderSince;
                Instant heard = heartbeats.lastHeartbeat(node.name()).filter(t -> t.isAfter(floor)).orElse(floor);
                Duration silent = Duration.between(heard, now);
                if (silent.compareTo(downAfter) >= 0 && !now.isBefore(failoverUntil.plus(downAfter))) {
                    markDown(node.name(), "no heartbeat for " + Durations.format(silent)
                            + " (node-down-after " + Durations.format(downAfter) + ")", now);
                }
            }
            // A tenth of the grace keeps detection within ~10% of it without busy checking; a periodic check is the
            // point, as heartbeats are not in the log to wait on.
            Duration tenth = downAfter.dividedBy(10);
            Thread.sleep(tenth.compareTo(Duration.ofMillis(50)) < 0 ? Duration.ofMillis(50) : tenth);
        }
    }

    private void markDown(String node, String reason, Instant now) throws InterruptedException {
        try {
            store.submit(new ClusterCommand.SetNodeStatus(node, NodeStatus.Down, reason, now)).get();
            LOG.warn("node {} is Down: {}", node, reason);
        } catch (ExecutionException e) {
            LOG.warn("could not mark node {} Down: {}", node, e.getCause().toString());
        }
    }
}
