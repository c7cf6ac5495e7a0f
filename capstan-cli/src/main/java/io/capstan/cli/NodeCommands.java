package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "node", synopsisSubcommandLabel = "COMMAND", description = "Nodes of the cluster.",
        subcommands = {NodeCommands.ListNodes.class, NodeCommands.DisableNode.class, NodeCommands.EnableNode.class,
                NodeCommands.RemoveNode.class})
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

    @Command(name = "disable", description = "Take a node out of service: its replicas move off gracefully (new ones "
            + "become ready elsewhere before the old ones stop), then it is Disabled.")
    static final class DisableNode extends ApiCommand {
        @Parameters(paramLabel = "NODE", converter = Converters.Name.class, description = "The node's name.")
        String node;

        @Option(names = "--intent", required = true, paramLabel = "restart|remove",
                description = "restart: it comes back after maintenance; remove: it leaves the cluster.")
        String intent;

        @Mixin
        WaitOptions waiting;

        @Override
        public Integer call() {
            String normalized = intent.toLowerCase(java.util.Locale.ROOT);
            if (!normalized.equals("restart") && !normalized.equals("remove")) {
                throw usage("--intent must be restart or remove; got '" + intent + "'");
            }
            ObjectNode body = object();
            body.put("intent", normalized);
            ApiResponse last = api().post(ApiClient.path("v1", "nodes", node, "disable"), body);
            if (waiting.wait) {
                info("disabling " + node + "; waiting for its replicas to move off (up to "
                        + io.capstan.model.Durations.format(waiting.timeout) + ")");
                last = new Convergence(api(), context(), err(), waiting.timeout).nodeDrained(node);
            }
            if (json()) {
                printBody(last);
            } else {
                JsonNode view = last.json();
                result("node " + node + " is " + Json.text(view, "status") + " (intent " + normalized + ", "
                        + Json.text(view, "replicas") + " replica(s) on it)");
            }
            return 0;
        }
    }

    @Command(name = "enable", description = "Put a disabled node back into service.")
    static final class EnableNode extends ApiCommand {
        @Parameters(paramLabel = "NODE", converter = Converters.Name.class, description = "The node's name.")
        String node;

        @Override
        public Integer call() {
            ApiResponse response = api().post(ApiClient.path("v1", "nodes", node, "enable"), object());
            show(response, view -> "node " + node + " is " + Json.text(view, "status") + "\n");
            return 0;
        }
    }

    @Command(name = "remove", description = "Delete the record of a node that left: it must be Down, or Disabled with "
            + "intent remove, and hold no replicas.")
    static final class RemoveNode extends ApiCommand {
        @Parameters(paramLabel = "NODE", converter = Converters.Name.class, description = "The node's name.")
        String node;

        @Override
        public Integer call() {
            ApiResponse response = api().delete(ApiClient.path("v1", "nodes", node));
            show(response, view -> "node " + node + " removed\n");
            return 0;
        }
    }
}
