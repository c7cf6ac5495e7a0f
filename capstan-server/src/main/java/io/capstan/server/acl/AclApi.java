package io.capstan.server.acl;

import io.capstan.model.Durations;
import io.capstan.model.Names;
import io.capstan.server.api.ApiContext;
import io.capstan.server.api.ApiException;
import io.capstan.state.AclRole;
import io.capstan.state.AclToken;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code POST /v1/acl/bootstrap} (once per cluster), {@code POST /v1/acl/tokens}, {@code GET /v1/acl/tokens} and
 * {@code DELETE /v1/acl/tokens/{id}}. The secret is generated here, answered once to its creator, and only its hash
 * goes into the replicated state; the list never shows secrets.
 */
public final class AclApi {

    /** A token creation: the role, and optionally a name and a time to live ({@code 30s}, {@code 24h}). */
    public record TokenRequest(AclRole role, String name, String ttl, String node) {
    }

    /** A token as listed: everything but its secret (and its hash). */
    public record TokenView(String id, String name, AclRole role, Instant createdAt, Instant expiresAt, boolean expired,
                            String node) {
        static TokenView of(AclToken t, Instant now) {
            return new TokenView(t.id(), t.name(), t.role(), t.createdAt(), t.expiresAt(), !t.validAt(now), t.node());
        }
    }

    /** A token just created, with its secret: the only time anyone sees it. */
    public record CreatedToken(String id, String name, AclRole role, Instant createdAt, Instant expiresAt, String secret) {
    }

    private final ApiContext api;
    private final Secrets secrets;

    public AclApi(ApiContext api, Secrets secrets) {
        this.api = api;
        this.secrets = secrets;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/acl/bootstrap", ctx -> {
            Instant now = api.clock().instant();
            String secret = secrets.newSecret();
            AclToken token = new AclToken(UUID.randomUUID().toString(), "bootstrap", AclRole.admin, Secrets.hash(secret), now, null);
            api.write(ctx, new ClusterCommand.BootstrapAcl(token, now));
            ctx.status(201).json(created(token, secret));
        });
        routes.post("/v1/acl/tokens", this::create);
        routes.get("/v1/acl/tokens", ctx -> {
            ClusterSnapshot s = api.read(ctx);
            Instant now = api.clock().instant();
            ctx.json(Map.of("items", s.aclTokens().values().stream().map(t -> TokenView.of(t, now)).toList()));
        });
        routes.delete("/v1/acl/tokens/{id}", ctx -> {
            String id = ctx.pathParam("id");
            api.write(ctx, new ClusterCommand.RevokeAclToken(id, api.clock().instant()));
            ctx.json(Map.of("id", id, "revoked", true));
        });
    }

    private void create(Context ctx) {
        TokenRequest request = api.body(ctx, TokenRequest.class);
        if (request.role() == null) {
            throw ApiException.invalid("role: give one of " + List.of(AclRole.values()));
        }
        Instant now = api.clock().instant();
        String id = UUID.randomUUID().toString();
        String name = request.name() == null ? request.role() + "-" + id.substring(0, 8) : request.name();
        String problem = Names.problem(name);
        if (problem != null) {
            throw ApiException.invalid("name: token name " + problem);
        }
        Instant expiresAt = null;
        if (request.ttl() != null) {
            Duration ttl;
            try {
                ttl = Durations.parse(request.ttl());
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("ttl: " + e.getMessage());
            }
            if (ttl.isNegative() || ttl.isZero()) {
                throw ApiException.invalid("ttl: must be positive, e.g. 24h; leave it out for a token that never expires");
            }
            expiresAt = now.plus(ttl);
        }
        if (request.node() != null && (request.role() != AclRole.agent || Names.problem(request.node()) != null)) {
            throw ApiException.invalid("node: only an agent token is bound to a node (--role agent --node NAME), with a valid"
                    + " node name");
        }
        String secret = secrets.newSecret();
        AclToken token = new AclToken(id, name, request.role(), Secrets.hash(secret), now, expiresAt, request.node());
        api.write(ctx, new ClusterCommand.CreateAclToken(token, now));
        ctx.status(201).json(created(token, secret));
    }

    private static CreatedToken created(AclToken t, String secret) {
        return new CreatedToken(t.id(), t.name(), t.role(), t.createdAt(), t.expiresAt(), secret);
    }
}
