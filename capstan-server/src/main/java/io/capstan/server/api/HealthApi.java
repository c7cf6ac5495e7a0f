package io.capstan.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.model.CapstanJson;
import io.capstan.model.Durations;
import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import io.capstan.model.health.HealthState;
import io.capstan.server.health.EntityHealth;
import io.capstan.server.health.HealthEntities;
import io.capstan.server.health.HealthEvaluator;
import io.capstan.server.health.HealthPolicyOverrides;
import io.capstan.server.health.HealthReportView;
import io.capstan.server.health.HealthSequence;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.Watch;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Health: aggregated health of any entity ({@code GET /v1/health}) and reports from clients. */
public final class HealthApi {

    /** One report as a client sends it; the server stamps reportedAt and, when absent, the sequence number. */
    public record ReportRequest(String entity, String sourceId, String property, String healthState, String description,
            String timeToLive, Boolean removeWhenExpired, Long sequenceNumber) {
    }

    /** Several reports applied together: all or none. */
    public record ReportBatch(List<ReportRequest> reports) {
    }

    static final int MAX_DESCRIPTION = 4096;
    static final int MAX_NAME = 256;
    private static final List<String> PERCENT_PARAMETERS = List.of("maxPercentUnhealthyNodes",
            "maxPercentUnhealthyApplications", "maxPercentUnhealthyServices", "maxPercentUnhealthyPartitionsPerService",
            "maxPercentUnhealthyReplicasPerPartition", "maxPercentUnhealthyDeployedApplications");
    private static final Set<String> QUERY_PARAMETERS;

    static {
        Set<String> known = new TreeSet<>(PERCENT_PARAMETERS);
        known.addAll(List.of("entity", "considerWarningAsError", "index", "wait"));
        QUERY_PARAMETERS = known;
    }

    private final ApiContext api;
    private final HealthSequence sequences;

    public HealthApi(ApiContext api, HealthSequence sequences) {
        this.api = api;
        this.sequences = sequences;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/health", this::show);
        routes.post("/v1/health/reports", this::report);
    }

    private void show(Context ctx) {
        for (String name : ctx.queryParamMap().keySet()) {
            if (!QUERY_PARAMETERS.contains(name)) {
                throw ApiException.invalid("unknown query parameter '" + name + "'; known: " + QUERY_PARAMETERS);
            }
        }
        String text = ctx.queryParam("entity");
        HealthEntity entity = text == null ? new HealthEntity.Cluster() : entity("entity", text);
        HealthPolicyOverrides overrides = overrides(ctx);
        Watch watch = watchOf(entity);
        ClusterSnapshot s = watch == null ? api.read(ctx) : api.readWatched(ctx, watch, x -> x);
        EntityHealth health = HealthEvaluator.forQuery(s, api.clock().instant(), overrides).evaluate(entity)
                .orElseThrow(() -> ApiException.notFound(HealthEntities.missing(entity)));
        ctx.json(health);
    }

    /**
     * What a blocking health query on an entity waits for: the service for a service, partition or replica (its
     * replicas' statuses and the reports on them), the node for a node and what it runs; any commit for the
     * cluster and applications, whose health takes in everything under them.
     */
    private static Watch watchOf(HealthEntity entity) {
        return switch (entity) {
            case HealthEntity.Service x -> new Watch.Service(x.name());
            case HealthEntity.Partition x -> new Watch.Service(x.service());
            case HealthEntity.Replica x -> new Watch.Service(x.service());
            case HealthEntity.Node x -> new Watch.Node(x.name());
            case HealthEntity.DeployedApplication x -> new Watch.Node(x.node());
            case HealthEntity.DeployedServicePackage x -> new Watch.Node(x.node());
            case HealthEntity.Cluster x -> null;
            case HealthEntity.Application x -> null;
        };
    }

    static HealthPolicyOverrides overrides(Context ctx) {
        Map<String, Integer> percents = new HashMap<>();
        for (String name : PERCENT_PARAMETERS) {
            String value = ctx.queryParam(name);
            if (value != null) {
                percents.put(name, percent(name, value));
            }
        }
        String warning = ctx.queryParam("considerWarningAsError");
        Boolean warningAsError = null;
        if (warning != null) {
            if (!warning.equals("true") && !warning.equals("false")) {
                throw ApiException.invalid("considerWarningAsError: '" + warning + "' must be true or false");
            }
            warningAsError = Boolean.parseBoolean(warning);
        }
        return new HealthPolicyOverrides(warningAsError, percents.get("maxPercentUnhealthyNodes"),
                percents.get("maxPercentUnhealthyApplications"), percents.get("maxPercentUnhealthyServices"),
                percents.get("maxPercentUnhealthyPartitionsPerService"), percents.get("maxPercentUnhealthyReplicasPerPartition"),
                percents.get("maxPercentUnhealthyDeployedApplications"));
    }

    private static int percent(String name, String value) {
        try {
            int p = Integer.parseInt(value);
            if (p >= 0 && p <= 100) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalid(name + ": '" + value + "' must be a whole percentage from 0 to 100");
    }

    /** The reports of a request body and the field path they are found at ("" for a single report). */
    private record Received(List<ReportRequest> requests, String prefix) {
        String where(int i) {
            return prefix.isEmpty() ? "" : prefix + "[" + i + "].";
        }
    }

    private void report(Context ctx) {
        Received received = received(ctx);
        Instant at = api.clock().instant();
        List<HealthReport> checked = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < received.requests().size(); i++) {
            HealthReport r = check(received.where(i), received.requests().get(i), at);
            Integer earlier = seen.put(r.entity().text() + "\u0000" + r.key(), i);
            if (earlier != null) {
                throw ApiException.invalid("reports[" + i + "]: reports the same entity, sourceId and property as reports["
                        + earlier + "]; send one report per property");
            }
            checked.add(r);
        }
        ClusterSnapshot s = api.store().snapshot();
        for (HealthReport r : checked) {
            if (!HealthEntities.exists(s, r.entity())) {
                throw ApiException.notFound(HealthEntities.missing(r.entity()));
            }
        }
        List<HealthReport> numbered = new ArrayList<>();
        for (int i = 0; i < checked.size(); i++) {
            HealthReport r = checked.get(i);
            numbered.add(received.requests().get(i).sequenceNumber() != null ? r : new HealthReport(r.entity(), r.sourceId(),
                    r.property(), r.healthState(), r.description(), r.timeToLive(), r.removeWhenExpired(),
                    sequences.next(storedSequence(s, r) + 1), r.reportedAt()));
        }
        api.write(ctx, new ClusterCommand.ReportHealth(numbered, at));
        ctx.json(new Views.Items<>(numbered.stream().map(r -> HealthReportView.of(r, at, r.healthState())).toList()));
    }

    private Received received(Context ctx) {
        if (!isBatch(ctx.bodyAsBytes())) {
            return new Received(List.of(api.body(ctx, ReportRequest.class)), "");
        }
        ReportBatch batch = api.body(ctx, ReportBatch.class);
        if (batch.reports() == null || batch.reports().isEmpty()) {
            throw ApiException.invalid("reports: is empty; send at least one report, or one report object on its own");
        }
        for (int i = 0; i < batch.reports().size(); i++) {
            if (batch.reports().get(i) == null) {
                throw ApiException.invalid("reports[" + i + "]: is null; send a report object");
            }
        }
        return new Received(batch.reports(), "reports");
    }

    /** The sequence number stored for the same entity, source and property, or -1. */
    private static long storedSequence(ClusterSnapshot s, HealthReport r) {
        return s.healthReportsOn(r.entity()).stream().filter(x -> x.key().equals(r.key()))
                .mapToLong(HealthReport::sequenceNumber).max().orElse(-1);
    }

    /** {@code {"reports": [...]}} rather than one report object. */
    private static boolean isBatch(byte[] body) {
        try {
            JsonNode tree = CapstanJson.newMapper().readTree(body);
            return tree != null && tree.isObject() && tree.has("reports");
        } catch (IOException e) {
            return false; // api.body names the syntax error
        }
    }

    /** A report request turned into a report, or a 400 naming the field and the fix. */
    static HealthReport check(String where, ReportRequest q, Instant at) {
        if (q.entity() == null) {
            throw ApiException.invalid(where + "entity: is missing; write e.g. service:App1/ServiceA or node:node-1");
        }
        HealthEntity entity = entity(where + "entity", q.entity());
        String sourceId = name(where + "sourceId", q.sourceId(), "the tool that reports, e.g. Watchdog.Disk");
        if (sourceId.startsWith(HealthReport.SYSTEM_SOURCE_PREFIX)) {
            throw ApiException.invalid(where + "sourceId: '" + sourceId + "' starts with '" + HealthReport.SYSTEM_SOURCE_PREFIX
                    + "', which is reserved for Capstan's own reports; use a source naming your tool, e.g. Watchdog.Disk");
        }
        String property = name(where + "property", q.property(), "what the report is about, e.g. DiskSpace");
        if (q.healthState() == null) {
            throw ApiException.invalid(where + "healthState: is missing; use Ok, Warning or Error");
        }
        HealthState state;
        try {
            state = HealthState.valueOf(q.healthState());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(where + "healthState: '" + q.healthState() + "' is not a health state; use Ok, Warning or Error");
        }
        if (q.description() != null && q.description().length() > MAX_DESCRIPTION) {
            throw ApiException.invalid(where + "description: is " + q.description().length() + " characters long; keep it to "
                    + MAX_DESCRIPTION);
        }
        Duration ttl = null;
        if (q.timeToLive() != null) {
            try {
                ttl = Durations.parse(q.timeToLive());
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(where + "timeToLive: " + e.getMessage());
            }
            if (ttl.isNegative() || ttl.isZero()) {
                throw ApiException.invalid(where + "timeToLive: must be positive (e.g. 30s), or left out for a report that never expires");
            }
        }
        boolean remove = Boolean.TRUE.equals(q.removeWhenExpired());
        if (remove && ttl == null) {
            throw ApiException.invalid(where + "removeWhenExpired: needs a timeToLive; a report without one never expires");
        }
        if (q.sequenceNumber() != null && q.sequenceNumber() < 0) {
            throw ApiException.invalid(where + "sequenceNumber: " + q.sequenceNumber()
                    + " is negative; send 0 or more, or leave it out and the server assigns one");
        }
        return new HealthReport(entity, sourceId, property, state, q.description(), ttl, remove,
                q.sequenceNumber() == null ? 0 : q.sequenceNumber(), at);
    }

    private static String name(String field, String value, String example) {
        if (value == null || value.isBlank()) {
            throw ApiException.invalid(field + ": is missing; name " + example);
        }
        if (value.length() > MAX_NAME || value.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.invalid(field + ": must be at most " + MAX_NAME + " characters with no control characters");
        }
        return value;
    }

    private static HealthEntity entity(String field, String text) {
        try {
            return HealthEntity.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field + ": " + e.getMessage());
        }
    }
}
