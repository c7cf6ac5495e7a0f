package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

@Command(name = "node", synopsisSubcommandLabel = "COMMAND", description = "Nodes of the cluster.",
        subcommands = {NodeCommands.ListNodes.class})
final class NodeCommands extends GroupCommand {

    @Command(name = "list", description = "List nodes: status, domains, replicas and service packages held.")
    static final class ListNodes extends ApiCommand {
        @Override
        public Integer call() {
            showList(api().get("/v1/nodes"), "no nodes registered", ListNodes::table);
            return 0;
        }

        static Table table(JsonNode body) {
            Table t = new Table("NAME", "STATUS", "ADDRESS", "FAULT DOMAIN", "UPGRADE DOMAIN", "REPLICAS", "PACKAGES",
                    "LAST HEARTBEAT");
            for (JsonNode n : Json.items(body)) {
                t.row(Json.text(n, "name"), Json.text(n, "status"), Json.text(n, "address"), Json.text(n, "faultDomain"),
                        Json.text(n, "upgradeDomain"), Json.text(n, "replicas"), Json.text(n, "deployedServicePackages"),
                        Json.text(n, "lastHeartbeat"));
            }
            return t;
        }
    }
}
