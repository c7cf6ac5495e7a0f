package io.capstan.server.api;

import io.capstan.server.ServerDirectory;
import io.capstan.state.ClusterStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.regex.Pattern;

/**
 * The agent protocol and the node views are served by the leader only: heartbeats, registrations, reports and node
 * commands touch what the leader keeps in memory (last heartbeats, measured use, the command queue), which its
 * liveness check reads and node views show. A follower answers them {@code 307} to the same path on the leader, with
 * the leader's API in {@code X-Capstan-Leader} (agents then stay with it); with no leader known, {@code 503
 * NO_LEADER}, and the agent tries again. A server elected but not ready yet answers them itself (its writes wait until
 * it is ready). A node view with {@code ?stale=true} is this server's own.
 */
public final class LeaderRoutes {

    /** The header naming the leader's API URL in a follower's redirect. */
    public static final String LEADER_HEADER = "X-Capstan-Leader";

    /** Heartbeat, report, and the node command queue. */
    private static final Pattern AGENT_PROTOCOL = Pattern.compile("/v1/nodes/[^/]+/(heartbeat|report|commands(/[^/]+(/result)?)?)");
    /** The node list and one node: read (with the leader's heartbeats and measured use), register, remove. */
    private static final Pattern NODE_VIEWS = Pattern.compile("/v1/nodes(/[^/]+)?");

    private final ClusterStore store;
    private final ServerDirectory servers;

    public LeaderRoutes(ClusterStore store, ServerDirectory servers) {
        this.store = store;
        this.servers = servers;
    }

    public void register(RoutesConfig routes) {
        routes.before("/v1/nodes*", this::toLeader);
    }

    private static boolean servedByLeader(Context ctx) {
        String path = ctx.path();
        if (AGENT_PROTOCOL.matcher(path).matches()) {
            return true;
        }
        if (!NODE_VIEWS.matcher(path).matches()) {
            return false;
        }
        boolean list = path.equals("/v1/nodes");
        return switch (ctx.method().name()) {
            case "GET" -> !"true".equals(ctx.queryParam("stale"));
            case "POST" -> list;
            case "DELETE" -> !list;
            default -> false;
        };
    }

    private void toLeader(Context ctx) {
        if (!servedByLeader(ctx) || store.isLeader()) {
            return;
        }
        var leader = servers.leader();
        // Elected but not ready yet, or a one-server group still electing itself: this server is about to lead, and
        // the handler's write waits for that.
        if (leader.map(ServerDirectory.Member::self).orElse(servers.majority() == 1)) {
            return;
        }
        var other = leader.filter(l -> l.apiUrl() != null);
        if (other.isEmpty()) {
            ctx.header("Retry-After", "1");
            throw new ApiException(503, "NO_LEADER", "this server is not the leader and knows no leader (an election"
                    + " may be under way); try again in a second, or ask another server");
        }
        String target = other.get().apiUrl() + ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
        ctx.header("Location", target);
        ctx.header(LEADER_HEADER, other.get().apiUrl());
        throw new ApiException(307, "NOT_LEADER", "agents talk to the leader, server " + other.get().id() + " at "
                + other.get().apiUrl() + "; send this request there");
    }
}
