package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "deployed", synopsisSubcommandLabel = "COMMAND",
        description = "Service packages activated on nodes.",
        subcommands = {DeployedCommands.ListDeployed.class})
final class DeployedCommands extends GroupCommand {

    @Command(name = "list", description = "List the service packages deployed on a node, one row each, with their"
            + " application version it runs (with the versions of its config packages), and its code packages (name, state,"
            + " pid, restarts, start time).")
    static final class ListDeployed extends ApiCommand {
        @Option(names = "--node", required = true, paramLabel = "NODE", converter = Converters.Name.class,
                description = "The node.")
        String node;

        @Override
        public Integer call() {
            showList(api().get(ApiClient.path("v1", "nodes", node, "deployed")),
                    "no service packages deployed on " + node, ListDeployed::table);
            return 0;
        }

        static Table table(JsonNode body) {
            Table t = new Table("APPLICATION", "SERVICE PACKAGE", "VERSION", "APP VERSION", "ACTIVATION ID", "STATE", "ENDPOINTS",
                    "REPLICAS", "CODE PACKAGES");
            for (JsonNode d : Json.items(body)) {
                t.row(Json.text(d, "application"), Json.text(d, "servicePackage"), Json.text(d, "servicePackageVersion"),
                        applicationVersion(d), ReplicaCommands.activationId(d), Json.text(d, "state"), Json.pairs(d.path("endpoints")),
                        Json.joined(d.path("replicaIds")), codePackages(d.path("codePackages")));
            }
            return t;
        }

        /** {@code 2.0.0 (config Settings=2.0.0)}: what an upgrade has brought this copy to so far. */
        static String applicationVersion(JsonNode d) {
            String version = Json.text(d, "applicationTypeVersion");
            String config = Json.pairs(d.path("configPackageVersions"));
            if (config == null) {
                return version;
            }
            return (version == null ? "-" : version) + " (config " + config + ")";
        }

        /** {@code Web(Running, pid 4242, 0 restarts, started 2026-…Z); Worker(...)}. */
        static String codePackages(JsonNode codePackages) {
            List<String> parts = new ArrayList<>();
            for (JsonNode c : codePackages) {
                List<String> facts = new ArrayList<>();
                facts.add(Json.text(c, "state") == null ? "?" : Json.text(c, "state"));
                facts.add("pid " + (Json.text(c, "pid") == null ? "-" : Json.text(c, "pid")));
                facts.add(Json.number(c, "restartCount", 0) + " restarts");
                if (Json.text(c, "lastExitCode") != null) {
                    facts.add("last exit " + Json.text(c, "lastExitCode"));
                }
                if (Json.text(c, "startedAt") != null) {
                    facts.add("started " + Json.text(c, "startedAt"));
                }
                parts.add(Json.text(c, "name") + "(" + String.join(", ", facts) + ")");
            }
            return parts.isEmpty() ? null : String.join("; ", parts);
        }
    }
}
