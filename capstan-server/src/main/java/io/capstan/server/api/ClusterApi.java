package io.capstan.server.api;

import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.state.ClusterEvent;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterStore;
import io.javalin.config.RoutesConfig;
import java.util.List;

/** The cluster at a glance and the event stream. */
public final class ClusterApi {

    /** A page of events and the index to ask from next. */
    public record EventsView(long index, List<ClusterEvent> items) {
    }

    private final ApiContext api;

    public ClusterApi(ApiContext api) {
        this.api = api;
    }

    public void register(RoutesConfig routes) {
        // This server's own view, never a linearizable read: it must answer when there is no leader, to say so.
        routes.get("/v1/cluster/status", ctx -> {
            ClusterSnapshot s = ctx.queryParam("index") == null ? api.store().snapshot() : api.read(ctx);
            ctx.header(ApiContext.INDEX_HEADER, Long.toString(s.index()));
            ctx.json(status(s, api.store()));
        });
        routes.post("/v1/cluster/snapshot", ctx -> ctx.json(api.store().takeSnapshot()));
        routes.get("/v1/events", ctx -> {
            ClusterSnapshot s = api.read(ctx);
            long after = ctx.queryParam("index") == null ? 0 : ApiContext.indexParam(ctx.queryParam("index"));
            String entity = ctx.queryParam("entity");
            List<ClusterEvent> events = s.eventsAfter(after).stream()
                    .filter(e -> entity == null || e.entity().contains(entity)).toList();
            ctx.json(new EventsView(s.index(), events));
        });
    }

    static Views.ClusterStatusView status(ClusterSnapshot s, ClusterStore store) {
        List<ClusterStore.ServerMember> members = store.members();
        String leader = members.stream().filter(ClusterStore.ServerMember::leader).map(ClusterStore.ServerMember::id)
                .findFirst().orElse(null);
        String self = members.stream().filter(ClusterStore.ServerMember::self).map(ClusterStore.ServerMember::id)
                .findFirst().orElse(null);
        int up = 0;
        int down = 0;
        for (NodeRecord n : s.nodes().values()) { // one pass: a blocking status read runs this on every commit
            up += n.status() == NodeStatus.Up ? 1 : 0;
            down += n.status() == NodeStatus.Down ? 1 : 0;
        }
        int ready = (int) s.readyReplicaCount();
        return new Views.ClusterStatusView(leader, self, s.index(),
                members.stream().map(m -> new Views.ServerView(m.id(), m.raftAddress(), m.leader(),
                        s.serverApis().get(m.id()))).toList(),
                new Views.NodeCounts(s.nodes().size(), up, down, s.nodes().size() - up - down),
                s.applicationTypeList().size(), s.applications().size(), s.services().size(),
                new Views.ReplicaTotals(s.replicas().size(), ready));
    }
}
