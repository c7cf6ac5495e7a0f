package io.capstan.server.acl;

import io.capstan.server.api.ApiException;
import io.capstan.state.AclToken;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterStore;
import io.capstan.state.Watch;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks every request against {@link AccessRules} before any route runs (with {@code --acl}): the secret comes in
 * the {@code X-Capstan-Token} header, is hashed and looked up in this server's replicated state, so a token revoked or
 * expired is refused here from the moment this server has applied the revocation (a token this server does not know
 * yet is looked up once more after a ReadIndex, so one just created through another server works at once). No token is 401, a token without
 * the right 403, each naming the role needed; secrets are never echoed. Without ACLs every caller is
 * {@link Caller#ANONYMOUS}.
 */
public final class AccessControl {

    /** The request header carrying a token's secret (or, between servers, the cluster secret). */
    public static final String TOKEN_HEADER = "X-Capstan-Token";
    private static final String CALLER = "capstan.caller";
    /** A node's own routes (heartbeat, report, assignment, command results), whose node a bound agent token must match. */
    private static final Pattern NODE_PATH = Pattern.compile("/v1/nodes/([^/]+)/.+");
    private static final Duration UNKNOWN_TOKEN_READ = Duration.ofSeconds(1);

    private final ClusterStore store;
    private final Clock clock;
    private final boolean required;
    private final String clusterSecret;
    private volatile TokenIndex index = new TokenIndex(-1, Map.of());

    /** The tokens by the hash of their secret, as of one modify index of the ACL table. */
    private record TokenIndex(long modifyIndex, Map<String, AclToken> byHash) {
    }

    /**
     * @param required      whether requests need a token ({@code --acl})
     * @param clusterSecret what peer servers send on the internal routes; null when there is none
     */
    public AccessControl(ClusterStore store, Clock clock, boolean required, String clusterSecret) {
        this.store = store;
        this.clock = clock;
        this.required = required;
        this.clusterSecret = clusterSecret;
    }

    public void register(RoutesConfig routes) {
        routes.before(this::check);
    }

    /** Who made this request (set by the check before every route). */
    public static Caller caller(Context ctx) {
        Caller c = ctx.attribute(CALLER);
        return c == null ? Caller.ANONYMOUS : c;
    }

    private void check(Context ctx) {
        if (!required) {
            ctx.attribute(CALLER, Caller.ANONYMOUS);
            return;
        }
        String method = ctx.method().name();
        Access access = AccessRules.of(method, ctx.path());
        String secret = ctx.header(TOKEN_HEADER);
        String call = method + " " + ctx.path();
        if (access == Access.PUBLIC) {
            ctx.attribute(CALLER, Caller.ANONYMOUS);
            return;
        }
        if (secret == null || secret.isBlank()) {
            throw new ApiException(401, "UNAUTHENTICATED", "this cluster requires an ACL token: send it in the "
                    + TOKEN_HEADER + " header (CLI: --token or CAPSTAN_TOKEN); " + call + " needs " + access.needed());
        }
        if (access == Access.PEER) {
            if (!Secrets.same(secret, clusterSecret)) {
                throw new ApiException(403, "PERMISSION_DENIED", call + " is for the servers of this cluster only and needs "
                        + access.needed());
            }
            ctx.attribute(CALLER, Caller.PEER_SERVER);
            return;
        }
        AclToken token = token(Secrets.hash(secret.strip()));
        if (token == null) {
            throw new ApiException(401, "UNAUTHENTICATED", "the token sent in " + TOKEN_HEADER + " is not known to this"
                    + " cluster (revoked, mistyped, or never created); " + call + " needs " + access.needed());
        }
        if (!token.validAt(clock.instant())) {
            throw new ApiException(401, "UNAUTHENTICATED", "token " + token.name() + " (" + token.id() + ") expired at "
                    + token.expiresAt() + "; " + call + " needs " + access.needed() + ": ask an admin for a new token");
        }
        if (!access.allows(token.role())) {
            throw new ApiException(403, "PERMISSION_DENIED", "token " + token.name() + " (" + token.id() + ") has role "
                    + token.role() + "; " + call + " needs " + access.needed());
        }
        Caller caller = new Caller(token.name(), token.id(), token.role(), token.node());
        Matcher nodePath = NODE_PATH.matcher(ctx.path());
        String denied = nodePath.matches() ? caller.deniedFor(nodePath.group(1)) : null;
        if (denied != null) {
            throw new ApiException(403, "PERMISSION_DENIED", denied + "; " + call + " needs a token for that node");
        }
        ctx.attribute(CALLER, caller);
    }

    /**
     * The token with this hash in this server's state; when there is none, in the state once this server has applied
     * what the leader has committed (a ReadIndex, only on this path), so a token created through another server a moment
     * ago works here too. Null when it is unknown even then, or no leader confirms the read within a second.
     */
    private AclToken token(String hash) {
        AclToken known = tokens(store.snapshot()).get(hash);
        if (known != null) {
            return known;
        }
        try {
            return tokens(store.readIndexSnapshot().get(UNKNOWN_TOKEN_READ.toMillis(), TimeUnit.MILLISECONDS)).get(hash);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Map<String, AclToken> tokens(ClusterSnapshot s) {
        long modified = s.modifyIndex(new Watch.Table(Watch.StateTable.ACL));
        TokenIndex known = index;
        if (known.modifyIndex() != modified) {
            Map<String, AclToken> byHash = new HashMap<>();
            s.aclTokens().values().forEach(t -> byHash.put(t.secretHash(), t));
            known = new TokenIndex(modified, Map.copyOf(byHash));
            index = known;
        }
        return known.byHash();
    }
}
