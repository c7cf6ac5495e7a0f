package io.capstan.server.acl;

import io.capstan.model.Durations;
import io.capstan.server.api.ApiContext;
import io.capstan.server.api.ApiException;
import io.capstan.state.AuditRecord;
import io.capstan.state.ClusterSnapshot;
import io.javalin.config.RoutesConfig;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/audit?actor=A&since=T&until=T}: the accepted writes, oldest first, each with who made it, what it
 * was and when. A time is an ISO-8601 instant or a duration back from now ({@code 10m}).
 */
public final class AuditApi {

    private final ApiContext api;

    public AuditApi(ApiContext api) {
        this.api = api;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/audit", ctx -> {
            String actor = ctx.queryParam("actor");
            Instant since = time("since", ctx.queryParam("since"));
            Instant until = time("until", ctx.queryParam("until"));
            ClusterSnapshot s = api.read(ctx);
            List<AuditRecord> records = s.audit().values().stream()
                    .filter(r -> actor == null || actor.equals(r.actor()))
                    .filter(r -> since == null || !r.at().isBefore(since))
                    .filter(r -> until == null || r.at().isBefore(until))
                    .toList();
            ctx.json(Map.of("items", records));
        });
    }

    private Instant time(String name, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notAnInstant) {
            try {
                return api.clock().instant().minus(Durations.parse(text));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(name + ": '" + text + "' is neither an instant (2026-12-04T10:00:00Z) nor a"
                        + " duration back from now (10m, 2h)");
            }
        }
    }
}
