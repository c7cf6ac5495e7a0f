package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.model.ServiceName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "replica", synopsisSubcommandLabel = "COMMAND", description = "Replicas and instances of services.",
        subcommands = {ReplicaCommands.ListReplicas.class})
final class ReplicaCommands extends GroupCommand {

    @Command(name = "list", description = "List the replicas of a service: partition, node, role, status, activation.")
    static final class ListReplicas extends ApiCommand {
        @Parameters(index = "0", paramLabel = "APP/SVC", converter = Converters.Service.class)
        ServiceName name;

        @Override
        public Integer call() {
            showList(api().get(ApiClient.servicePath(name, "replicas")),
                    "no replicas of " + name.uri(), ListReplicas::table);
            return 0;
        }

        static Table table(JsonNode body) {
            Table t = new Table("PARTITION", "REPLICA ID", "NODE", "ROLE", "STATUS", "ACTIVATION ID");
            for (JsonNode r : Json.items(body)) {
                    t.row(Json.partitionOf(r), Json.text(r, "id"), Json.text(r, "node"),
                        Json.text(r, "role"), Json.text(r, "status"), activationId(r));
            }
            return t;
        }
    }

    /** The empty ActivationId (SharedProcess) shows as {@code ""}, a missing one as {@code -}. */
    static String activationId(JsonNode node) {
        JsonNode id = node.get("activationId");
        if (id == null || id.isNull()) {
            return "-";
        }
        return id.asText().isEmpty() ? "\"\"" : id.asText();
    }
}
