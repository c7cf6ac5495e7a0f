package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capstan.model.Durations;
import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import io.capstan.model.health.HealthState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "health", synopsisSubcommandLabel = "COMMAND",
        description = "Health: the aggregated state of any entity and why, and reports from your own tools.",
        subcommands = {HealthCommands.Show.class, HealthCommands.Report.class})
final class HealthCommands extends GroupCommand {

    /** Descriptions can hold a stderr tail; tables show their start, {@code -o json} all of it. */
    static final int DESCRIPTION_WIDTH = 160;

    static final String ENTITY_FORMS = "cluster (default), node:NODE, app:APP, service:APP/SVC (or capstan:/APP/SVC), "
            + "partition:APP/SVC/PARTITION-ID, replica:APP/SVC/PARTITION-ID/REPLICA-ID, deployed-app:NODE/APP, "
            + "deployed-package:NODE/APP/PACKAGE[/ACTIVATION-ID]";

    @Command(name = "show", description = "Show an entity's aggregated health: its reports, the unhealthy evaluations"
            + " that explain it (as a tree) and its children per state. Policy options override the cluster's default"
            + " policy and the application type's, one field at a time, for this query only.")
    static final class Show extends ApiCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ENTITY", converter = Converters.Entity.class,
                description = "The entity: " + ENTITY_FORMS + ".")
        HealthEntity entity;

        @Option(names = "--consider-warning-as-error", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
                description = "Count Warning as Error (alone: true).")
        Boolean considerWarningAsError;

        @Option(names = "--max-percent-unhealthy-nodes", paramLabel = "N", converter = Converters.Percent.class,
                description = "Percent of unhealthy nodes the cluster tolerates before it is in Error.")
        Integer nodes;

        @Option(names = "--max-percent-unhealthy-applications", paramLabel = "N", converter = Converters.Percent.class,
                description = "Percent of unhealthy applications the cluster tolerates.")
        Integer applications;

        @Option(names = "--max-percent-unhealthy-services", paramLabel = "N", converter = Converters.Percent.class,
                description = "Percent of unhealthy services an application tolerates.")
        Integer services;

        @Option(names = "--max-percent-unhealthy-partitions", paramLabel = "N", converter = Converters.Percent.class,
                description = "Percent of unhealthy partitions a service tolerates.")
        Integer partitions;

        @Option(names = "--max-percent-unhealthy-replicas", paramLabel = "N", converter = Converters.Percent.class,
                description = "Percent of unhealthy replicas a partition tolerates.")
        Integer replicas;

        @Option(names = "--max-percent-unhealthy-deployed-applications", paramLabel = "N",
                converter = Converters.Percent.class,
                description = "Percent of unhealthy deployed applications an application tolerates.")
        Integer deployedApplications;

        /** {@code /v1/health?entity=...&overrides}, leaving out what was not given. */
        String path() {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("entity", entity == null ? null : entity.text());
            q.put("considerWarningAsError", considerWarningAsError == null ? null : considerWarningAsError.toString());
            q.put("maxPercentUnhealthyNodes", text(nodes));
            q.put("maxPercentUnhealthyApplications", text(applications));
            q.put("maxPercentUnhealthyServices", text(services));
            q.put("maxPercentUnhealthyPartitionsPerService", text(partitions));
            q.put("maxPercentUnhealthyReplicasPerPartition", text(replicas));
            q.put("maxPercentUnhealthyDeployedApplications", text(deployedApplications));
            return ApiClient.withQuery("/v1/health", q);
        }

        private static String text(Integer value) {
            return value == null ? null : value.toString();
        }

        @Override
        public Integer call() {
            show(api().get(path()), Show::render);
            return 0;
        }

        static String render(JsonNode h) {
            StringBuilder sb = new StringBuilder();
            JsonNode policy = h.hasNonNull("applicationHealthPolicy") ? h.get("applicationHealthPolicy")
                    : h.get("clusterHealthPolicy");
            List<String[]> head = new ArrayList<>();
            head.add(new String[] {"Entity", Json.text(h, "entity")});
            head.add(new String[] {"Health", Json.text(h, "aggregatedHealthState")});
            head.add(new String[] {"Policy", Json.pairs(policy)});
            sb.append(Table.keyValues(head));
            Table reports = reports(h.path("reports"));
            if (!reports.isEmpty()) {
                sb.append('\n').append(reports.render());
            }
            if (!h.path("unhealthyEvaluations").isEmpty()) {
                sb.append("\nUnhealthy evaluations:\n");
                tree(h.path("unhealthyEvaluations"), 1, sb);
            }
            Table children = children(h.path("children"));
            if (!children.isEmpty()) {
                sb.append('\n').append(children.render());
            }
            return sb.toString();
        }

        static Table reports(JsonNode reports) {
            Table t = new Table("SOURCE", "PROPERTY", "STATE", "DESCRIPTION", "EXPIRES");
            for (JsonNode r : reports) {
                String state = Json.text(r, "healthState");
                String effective = Json.text(r, "effectiveHealthState");
                if (effective != null && !effective.equals(state)) {
                    state += " (counts as " + effective + ")";
                }
                String expires = Json.text(r, "expiresAt");
                if (expires != null && r.path("expired").asBoolean(false)) {
                    expires = "expired " + expires;
                } else if (expires != null && r.path("removeWhenExpired").asBoolean(false)) {
                    expires += " (then removed)";
                }
                t.row(Json.text(r, "sourceId"), Json.text(r, "property"), state,
                        Table.abbreviated(Json.text(r, "description"), DESCRIPTION_WIDTH), expires);
            }
            return t;
        }

        /** One line per evaluation, indented two spaces per level: {@code Error    Replicas: 1 of 3 ...}. */
        static void tree(JsonNode evaluations, int depth, StringBuilder sb) {
            for (JsonNode e : evaluations) {
                sb.append("  ".repeat(depth)).append(String.format("%-7s  %s", Table.cell(Json.text(e, "healthState")),
                        Table.abbreviated(Json.text(e, "description"), DESCRIPTION_WIDTH))).append('\n');
                tree(e.path("unhealthyEvaluations"), depth + 1, sb);
            }
        }

        static Table children(JsonNode children) {
            Table t = new Table("CHILDREN", "TOTAL", "OK", "WARNING", "ERROR");
            for (JsonNode c : children) {
                t.row(Json.text(c, "kind"), Json.text(c, "total"), Json.text(c, "ok"), Json.text(c, "warning"),
                        Json.text(c, "error"));
            }
            return t;
        }
    }

    @Command(name = "report", description = "Report the health of one property of an entity from your own tool;"
            + " the latest report per (source, property) replaces the previous one.")
    static final class Report extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ENTITY", converter = Converters.Entity.class,
                description = "The entity: " + ENTITY_FORMS + ".")
        HealthEntity entity;

        @Option(names = "--source", required = true, paramLabel = "SOURCE",
                description = "Who reports, e.g. Watchdog.Disk (System.* is reserved for Capstan).")
        String source;

        @Option(names = "--property", required = true, paramLabel = "PROPERTY", description = "What about, e.g. DiskSpace.")
        String property;

        @Option(names = "--state", required = true, paramLabel = "Ok|Warning|Error", description = "The state reported.")
        HealthState state;

        @Option(names = "--description", paramLabel = "TEXT", description = "What people should read.")
        String description;

        @Option(names = "--ttl", paramLabel = "DURATION", converter = Converters.Timeout.class,
                description = "How long the report holds (e.g. 30s); once expired it counts as Error, unless"
                        + " --remove-when-expired. Default: forever.")
        Duration ttl;

        @Option(names = "--remove-when-expired", description = "Drop the report when its --ttl passes instead of"
                + " counting it as Error.")
        boolean removeWhenExpired;

        @Option(names = "--sequence", paramLabel = "N", description = "Sequence number: a report with a lower one than"
                + " the stored report is refused as stale. Default: assigned by the server, increasing.")
        Long sequence;

        ObjectNode body() {
            if (source.startsWith(HealthReport.SYSTEM_SOURCE_PREFIX)) {
                throw usage("--source '" + source + "' starts with '" + HealthReport.SYSTEM_SOURCE_PREFIX
                        + "', which is reserved for Capstan's own reports; name your tool, e.g. Watchdog.Disk");
            }
            if (removeWhenExpired && ttl == null) {
                throw usage("--remove-when-expired needs --ttl DURATION: a report without one never expires");
            }
            if (sequence != null && sequence < 0) {
                throw usage("--sequence must be 0 or more; got " + sequence);
            }
            ObjectNode body = object();
            body.put("entity", entity.text());
            body.put("sourceId", source);
            body.put("property", property);
            body.put("healthState", state.name());
            if (description != null) {
                body.put("description", description);
            }
            if (ttl != null) {
                body.put("timeToLive", Durations.format(ttl));
            }
            if (removeWhenExpired) {
                body.put("removeWhenExpired", true);
            }
            if (sequence != null) {
                body.put("sequenceNumber", sequence);
            }
            return body;
        }

        @Override
        public Integer call() {
            ApiResponse response = api().post("/v1/health/reports", body());
            if (json()) {
                printBody(response);
            } else {
                JsonNode r = response.json().path("items").path(0);
                String expires = Json.text(r, "expiresAt");
                result("reported " + state + " on " + entity.text() + " (" + source + "/" + property + ", sequence "
                        + Json.text(r, "sequenceNumber") + (expires == null ? "" : ", expires " + expires) + ")");
            }
            return 0;
        }
    }
}
