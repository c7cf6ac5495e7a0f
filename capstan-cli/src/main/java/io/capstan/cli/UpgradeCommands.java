package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capstan.model.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "upgrade", synopsisSubcommandLabel = "COMMAND",
        description = "Rolling application upgrades, one upgrade domain at a time, with automatic rollback.",
        subcommands = {UpgradeCommands.Start.class, UpgradeCommands.Status.class, UpgradeCommands.Resume.class,
            UpgradeCommands.Rollback.class})
final class UpgradeCommands extends GroupCommand {

    /** {@code --wait} and its {@code --timeout}: an upgrade takes at least its health waits per domain. */
    static final class Following {
        @Option(names = "--wait", description = "Follow the upgrade until it completes, rolls back, fails or pauses"
                + " (progress on stderr); exit 1 unless it completed or paused.")
        boolean wait;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2h", converter = Converters.Timeout.class,
                description = "How long --wait follows (default: ${DEFAULT-VALUE}).")
        Duration timeout;
    }

    @Command(name = "start", description = "Start upgrading an application to another version of its type (or other parameters).")
    static final class Start extends ApiCommand {
        @Parameters(index = "0", paramLabel = "APP", converter = Converters.Application.class)
        String app;

        @Option(names = "--version", required = true, paramLabel = "V", description = "The application type version to go to.")
        String version;

        @Option(names = "--mode", paramLabel = "MODE", description = "monitored (default), unmonitored-auto or unmonitored-manual.")
        String mode;

        @Option(names = "--failure-action", paramLabel = "ACTION", description = "rollback (default) or manual.")
        String failureAction;

        @Option(names = "--health-check-wait", paramLabel = "D", description = "Wait after a domain converged before checking health (default 0s).")
        String healthCheckWait;

        @Option(names = "--health-check-stable", paramLabel = "D", description = "How long a domain must stay healthy (default 120s).")
        String healthCheckStable;

        @Option(names = "--health-check-retry", paramLabel = "D",
                description = "How long a domain may fail its checks before the upgrade fails (default 600s).")
        String healthCheckRetry;

        @Option(names = "--upgrade-domain-timeout", paramLabel = "D", description = "Bound on one domain (default none).")
        String upgradeDomainTimeout;

        @Option(names = "--upgrade-timeout", paramLabel = "D", description = "Bound on the whole upgrade (default none).")
        String upgradeTimeout;

        @Option(names = "--consider-warning-as-error", description = "Health warnings fail the upgrade too.")
        Boolean considerWarningAsError;

        @Option(names = "--max-percent-unhealthy-services", paramLabel = "N")
        Integer maxUnhealthyServices;

        @Option(names = "--max-percent-unhealthy-partitions-per-service", paramLabel = "N")
        Integer maxUnhealthyPartitions;

        @Option(names = "--max-percent-unhealthy-replicas-per-partition", paramLabel = "N")
        Integer maxUnhealthyReplicas;

        @Option(names = "--max-percent-unhealthy-deployed-applications", paramLabel = "N")
        Integer maxUnhealthyDeployed;

        @Option(names = "--param", paramLabel = "K=V", description = "Changes an application parameter; repeatable.")
        Map<String, String> params = new LinkedHashMap<>();

        @Option(names = "--force", description = "Start even though the application is unhealthy now.")
        boolean force;

        @Option(names = "--dry-run", description = "Print the plan (domains, nodes, replicas, packages, Primary moves); change nothing.")
        boolean dryRun;

        @picocli.CommandLine.Mixin
        Following following;

        @Override
        public Integer call() {
            ObjectNode body = object();
            body.put("version", version);
            putIfSet(body, "mode", mode);
            putIfSet(body, "failureAction", failureAction);
            putIfSet(body, "healthCheckWait", healthCheckWait);
            putIfSet(body, "healthCheckStable", healthCheckStable);
            putIfSet(body, "healthCheckRetry", healthCheckRetry);
            putIfSet(body, "upgradeDomainTimeout", upgradeDomainTimeout);
            putIfSet(body, "upgradeTimeout", upgradeTimeout);
            if (considerWarningAsError != null) {
                body.put("considerWarningAsError", considerWarningAsError);
            }
            putIfSet(body, "maxPercentUnhealthyServices", maxUnhealthyServices);
            putIfSet(body, "maxPercentUnhealthyPartitionsPerService", maxUnhealthyPartitions);
            putIfSet(body, "maxPercentUnhealthyReplicasPerPartition", maxUnhealthyReplicas);
            putIfSet(body, "maxPercentUnhealthyDeployedApplications", maxUnhealthyDeployed);
            if (!params.isEmpty()) {
                ObjectNode p = body.putObject("parameters");
                params.forEach(p::put);
            }
            body.put("force", force);
            body.put("dryRun", dryRun);
            ApiResponse answer = api().post(ApiClient.path("v1", "apps", app, "upgrade"), body);
            if (dryRun) {
                show(answer, UpgradeCommands::renderPlan);
                return 0;
            }
            if (!following.wait) {
                show(answer, UpgradeCommands::renderStatus);
                return 0;
            }
            info("upgrading capstan:/" + app + " to " + version + "; following it (up to " + Durations.format(following.timeout) + ")");
            return follow(this, app, following.timeout);
        }

        private static void putIfSet(ObjectNode body, String field, Object value) {
            if (value instanceof String s) {
                body.put(field, s);
            } else if (value instanceof Integer i) {
                body.put(field, i);
            }
        }
    }

    @Command(name = "status", description = "Show an application's upgrade: state, domains, what it waits for and why.")
    static final class Status extends ApiCommand {
        @Parameters(index = "0", paramLabel = "APP", converter = Converters.Application.class)
        String app;

        @picocli.CommandLine.Mixin
        Following following;

        @Override
        public Integer call() {
            if (following.wait) {
                return follow(this, app, following.timeout);
            }
            show(api().get(ApiClient.path("v1", "apps", app, "upgrade")), UpgradeCommands::renderStatus);
            return 0;
        }
    }

    @Command(name = "resume", description = "Continue a paused (unmonitored-manual) or failed (failure action manual) upgrade.")
    static final class Resume extends ApiCommand {
        @Parameters(index = "0", paramLabel = "APP", converter = Converters.Application.class)
        String app;

        @picocli.CommandLine.Mixin
        Following following;

        @Override
        public Integer call() {
            ApiResponse answer = api().post(ApiClient.path("v1", "apps", app, "upgrade", "resume"), object());
            if (following.wait) {
                return follow(this, app, following.timeout);
            }
            show(answer, UpgradeCommands::renderStatus);
            return 0;
        }
    }

    @Command(name = "rollback", description = "Roll a running upgrade back to the version it started from, domain by domain.")
    static final class Rollback extends ApiCommand {
        @Parameters(index = "0", paramLabel = "APP", converter = Converters.Application.class)
        String app;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why (kept in the status and the event).")
        String reason;

        @picocli.CommandLine.Mixin
        Following following;

        @Override
        public Integer call() {
            ObjectNode body = object();
            if (reason != null) {
                body.put("reason", reason);
            }
            ApiResponse answer = api().post(ApiClient.path("v1", "apps", app, "upgrade", "rollback"), body);
            if (following.wait) {
                return follow(this, app, following.timeout);
            }
            show(answer, UpgradeCommands::renderStatus);
            return 0;
        }
    }

    /** Follows the upgrade to a state an operator must read: 0 when it completed or paused, 1 otherwise. */
    private static int follow(ApiCommand command, String app, Duration timeout) {
        ApiResponse last = new Convergence(command.api(), command.context(), command.err(), timeout).upgrade(app);
        JsonNode status = last.json();
        String state = Json.text(status, "state");
        if (command.json()) {
            command.printBody(last);
        } else {
            command.out().print(renderStatus(status));
            command.out().flush();
        }
        if ("RollingForwardCompleted".equals(state) || "RollingForwardPending".equals(state)) {
            return 0;
        }
        throw new CliException("the upgrade of capstan:/" + app + " ended " + state + ": " + Json.text(status, "failureReason"));
    }

    /** The status as people read it: a summary, the domains, what it waits for, and the evaluations that blocked it. */
    static String renderStatus(JsonNode u) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Application", Json.text(u, "application")});
        rows.add(new String[] {"Upgrade", Json.text(u, "type") + " " + Json.text(u, "fromVersion") + " -> " + Json.text(u, "toVersion")});
        rows.add(new String[] {"State", Json.text(u, "state")});
        rows.add(new String[] {"Mode", Json.text(u, "mode") + ", failure action " + Json.text(u, "failureAction")
                + (u.path("forced").asBoolean(false) ? ", forced" : "")});
        rows.add(new String[] {"Policy", Json.pairs(u.path("policy"))});
        rows.add(new String[] {"Current domain", u.path("currentDomain").isTextual() ? Json.text(u, "currentDomain") : "-"});
        JsonNode w = u.path("waitingFor");
        if (w.isObject()) {
            String retry = w.path("retryingSince").isTextual() ? "; fails in " + Durations.format(
                    Duration.ofSeconds(w.path("retryLeftMillis").asLong() / 1000)) + " unless it passes" : "";
            rows.add(new String[] {"Waiting for", Json.text(w, "condition") + " for " + Durations.format(
                    Duration.ofSeconds(w.path("waitedMillis").asLong() / 1000)) + ": " + Json.text(w, "detail") + retry});
        }
        if (!Json.text(u, "failureReason").isEmpty()) {
            rows.add(new String[] {"Failure", Json.text(u, "failureReason")});
        }
        rows.add(new String[] {"Started", Json.text(u, "startedAt")});
        if (u.path("completedAt").isTextual()) {
            rows.add(new String[] {"Completed", Json.text(u, "completedAt")});
        }
        StringBuilder out = new StringBuilder(Table.keyValues(rows));
        Table domains = new Table("DOMAIN", "STATE", "STARTED", "COMPLETED", "RESULT");
        for (JsonNode d : u.path("domains")) {
            domains.row(Json.text(d, "name"), Json.text(d, "state"), orDash(d, "startedAt"), orDash(d, "completedAt"),
                    Json.text(d, "result"));
        }
        out.append('\n').append(domains.render());
        if (u.path("healthEvaluations").size() > 0) {
            out.append("\nUnhealthy evaluations:\n");
            u.path("healthEvaluations").forEach(e -> out.append("  ").append(e.asText()).append('\n'));
        }
        return out.toString();
    }

    static String renderPlan(JsonNode plan) {
        StringBuilder out = new StringBuilder();
        out.append("Upgrade of ").append(Json.text(plan, "application")).append(": ").append(Json.text(plan, "fromVersion"))
                .append(" -> ").append(Json.text(plan, "toVersion")).append(", parameters ")
                .append(Json.pairs(plan.path("parameters"))).append('\n');
        int n = 1;
        for (JsonNode d : plan.path("domains")) {
            out.append('\n').append(n++).append(". domain ").append(Json.text(d, "name")).append(": nodes ")
                    .append(Json.joined(d.path("nodes"))).append(", ").append(d.path("replicas").size()).append(" replica(s)\n");
            Table packages = new Table("NODE", "PACKAGE", "ACTIVATION", "ACTION", "WHY");
            d.path("packages").forEach(p -> packages.row(Json.text(p, "node"), Json.text(p, "servicePackage"),
                    Json.text(p, "activationId").isEmpty() ? "shared" : Json.text(p, "activationId"), Json.text(p, "action"),
                    Json.text(p, "why")));
            if (!packages.isEmpty()) {
                out.append(packages.render());
            }
            for (JsonNode m : d.path("primaryMoves")) {
                out.append("   Primary of ").append(Json.text(m, "service")).append(" ").append(Json.partitionLabel(m.path("partition")))
                        .append(": replica ").append(m.path("fromReplica").asLong()).append(" on ").append(Json.text(m, "fromNode"))
                        .append(m.path("toReplica").isNumber() ? " -> replica " + m.path("toReplica").asLong() + " on "
                                + Json.text(m, "toNode") : " -> (no Ready secondary elsewhere yet: the domain waits for one)")
                        .append('\n');
            }
        }
        return out.toString();
    }

    private static String orDash(JsonNode node, String field) {
        return node.path(field).isTextual() ? Json.text(node, field) : "-";
    }
}
