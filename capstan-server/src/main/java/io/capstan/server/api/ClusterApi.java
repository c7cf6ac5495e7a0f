package io.capstan.server.api;

import io.capstan.model.Durations;
import io.capstan.model.Names;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.state.ClusterEvent;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

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
        routes.get("/v1/cluster/members", ctx -> ctx.json(new Views.Items<>(members(api.store().snapshot(), api.store()))));
        routes.post("/v1/cluster/members", this::addMember);
        routes.delete("/v1/cluster/members/{id}", this::removeMember);
        routes.get("/v1/events", ctx -> {
            ClusterSnapshot s = api.read(ctx);
            long after = ctx.queryParam("index") == null ? 0 : ApiContext.indexParam(ctx.queryParam("index"));
            String entity = ctx.queryParam("entity");
            List<ClusterEvent> events = s.eventsAfter(after).stream()
                    .filter(e -> entity == null || e.entity().contains(entity)).toList();
            ctx.json(new EventsView(s.index(), events));
        });
    }

    /** The body of {@code POST /v1/cluster/members}: a server started with {@code --join}. */
    public record NewMember(String id, String raftAddress) {
    }

    private void addMember(Context ctx) {
        NewMember m = api.body(ctx, NewMember.class);
        String idProblem = Names.problem(m.id());
        if (idProblem != null) {
            throw ApiException.invalid("id: server id " + idProblem);
        }
        if (m.raftAddress() == null || !m.raftAddress().matches("[^:\\s]+:\\d{1,5}")) {
            throw ApiException.invalid("raftAddress: give the new server's --raft-address as host:port, e.g. 10.0.0.4:19082");
        }
        Map<String, String> peers = peers(api.store());
        if (peers.containsKey(m.id())) {
            throw new ApiException(409, "ALREADY_EXISTS", "server " + m.id() + " is already a member; see `capstan cluster members list`");
        }
        peers.put(m.id(), m.raftAddress());
        changeMembers(ctx, peers, "add " + m.id() + " (is it running, started with --join and --peers naming this group?)");
    }

    private void removeMember(Context ctx) {
        String id = ctx.pathParam("id");
        Map<String, String> peers = peers(api.store());
        if (!peers.containsKey(id)) {
            throw ApiException.notFound("server " + id + " is not a member; members are " + peers.keySet());
        }
        if (peers.size() == 1) {
            throw new ApiException(409, "CONFLICT", "server " + id + " is the last member; a group cannot be empty");
        }
        peers.remove(id);
        changeMembers(ctx, peers, "remove " + id);
    }

    /** Commits the new configuration within the request timeout; the answer is the members after it. */
    private void changeMembers(Context ctx, Map<String, String> peers, String what) {
        var change = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                api.store().setMembers(peers);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, runnable -> Thread.ofVirtual().start(runnable));
        try {
            change.get(api.requestTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ApiException(503, "NOT_COMMITTED", "could not " + what + " within " + Durations.format(api.requestTimeout())
                    + "; the change may still complete: see `capstan cluster members list`");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new ApiException(503, "NOT_COMMITTED", "could not " + what + ": " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "UNAVAILABLE", "the server is shutting down");
        }
        ctx.json(new Views.Items<>(members(api.store().snapshot(), api.store())));
    }

    private static Map<String, String> peers(ClusterStore store) {
        Map<String, String> peers = new java.util.LinkedHashMap<>();
        store.members().forEach(m -> peers.put(m.id(), m.raftAddress()));
        return peers;
    }

    private static List<Views.ServerView> members(ClusterSnapshot s, ClusterStore store) {
        return store.members().stream().map(m -> new Views.ServerView(m.id(), m.raftAddress(), m.leader(),
                s.serverApis().get(m.id()))).toList();
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
        return new Views.ClusterStatusView(leader, self, s.index(), members(s, store),
                new Views.NodeCounts(s.nodes().size(), up, down, s.nodes().size() - up - down),
                s.applicationTypeList().size(), s.applications().size(), s.services().size(),
                new Views.ReplicaTotals(s.replicas().size(), ready));
    }
}
