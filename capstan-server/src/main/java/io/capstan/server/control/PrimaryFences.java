package io.capstan.server.control;

import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.state.ClusterSnapshot;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Until when the Primaries on each Down node may still be serving: their agent demotes them once its lease has run
 * out ({@link HeartbeatPolicy#lease}), so the leader lets another replica take over only after
 * {@code last heard + lease + margin}.
 *
 * <p>When the node was last heard from, on the leader's clock, is the earlier of two moments that are both at or
 * after the agent's last renewal: the time it was marked Down (a Down node's heartbeat is answered only once its
 * return to Up is committed), and the last heartbeat this server received, or the start of its leadership if that
 * is later (an agent renews only with the leader's answers, and before this leadership another server led, whose
 * heartbeats this one never saw).
 */
final class PrimaryFences {

    private final HeartbeatTracker heartbeats;
    private final HeartbeatPolicy policy;
    private final Instant leaderSince;

    PrimaryFences(HeartbeatTracker heartbeats, HeartbeatPolicy policy, Instant leaderSince) {
        this.heartbeats = heartbeats;
        this.policy = policy;
        this.leaderSince = leaderSince;
    }

    /** The Down nodes whose Primaries may still serve at {@code now}, each with the moment they surely do not. */
    Map<String, Instant> at(ClusterSnapshot state, Instant now) {
        Map<String, Instant> fenced = new HashMap<>();
        int nodes = state.nodes().size();
        for (NodeRecord n : state.nodes().values()) {
            if (n.status() != NodeStatus.Down) {
                continue;
            }
            Instant beat = heartbeats.lastHeartbeat(n.name()).filter(t -> t.isAfter(leaderSince)).orElse(leaderSince);
            Instant heard = n.since() != null && n.since().isBefore(beat) ? n.since() : beat;
            Instant demotedBy = heard.plus(policy.lease(nodes)).plus(policy.leaseMargin(nodes));
            if (now.isBefore(demotedBy)) {
                fenced.put(n.name(), demotedBy);
            }
        }
        return fenced;
    }
}
