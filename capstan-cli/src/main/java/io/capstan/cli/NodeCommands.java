package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "node", synopsisSubcommandLabel = "COMMAND", description = "Nodes of the cluster.",
        subcommands = {NodeCommands.ListNodes.class, NodeCommands.ShowNode.class, NodeCommands.DisableNode.class,
                NodeCommands.EnableNode.class, NodeCommands.RemoveNode.class})
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

    @Command(name = "show", description = "One node: status and domains; per resource what its replicas request, what its"
            + " code packages use (as its agent last measured them) and what it offers; then each measured code package.")
    static final class ShowNode extends ApiCommand {
        @Parameters(paramLabel = "NODE", converter = Converters.Name.class, description = "The node's name.")
        String node;

        @Override
        public Integer call() {
            show(api().get(ApiClient.path("v1", "nodes", node)), ShowNode::render);
            return 0;
        }

        static String render(JsonNode n) {
            List<String[]> head = new ArrayList<>();
            head.add(new String[] {"Node", Json.text(n, "name")});
            head.add(new String[] {"Status", Json.text(n, "status")});
            head.add(new String[] {"Address", Json.text(n, "address")});
            head.add(new String[] {"Domains", Json.text(n, "faultDomain") + " " + Json.text(n, "upgradeDomain")});
            head.add(new String[] {"Replicas", Json.text(n, "replicas") + " in " + Json.text(n, "deployedServicePackages")
                    + " service package(s)"});
            String measured = Json.text(n, "measuredAt");
            head.add(new String[] {"Measured", measured == null ? "never (no report with measurements yet)" : measured});
            StringBuilder sb = new StringBuilder(Table.keyValues(head)).append('\n');
            Table resources = new Table("RESOURCE", "REQUESTED", "USED", "CAPACITY");
            n.path("resources").fields().forEachRemaining(e -> resources.row(e.getKey(),
                    amount(e.getValue().get("requested")), amount(e.getValue().get("used")),
                    amount(e.getValue().get("capacity"))));
            sb.append(resources.render());
            JsonNode usage = n.path("usage");
            if (usage.isArray() && !usage.isEmpty()) {
                Table t = new Table("APPLICATION", "SERVICE PACKAGE", "ACTIVATION", "CODE PACKAGE", "CPU", "MEMORY MiB");
                for (JsonNode u : usage) {
                    String activation = Json.text(u, "activationId");
                    t.row(Json.text(u, "application"), Json.text(u, "servicePackage"),
                            activation == null || activation.isEmpty() ? "(shared)" : activation, Json.text(u, "codePackage"),
                            amount(u.get("cpu")), amount(u.get("memoryMiB")));
                }
                sb.append('\n').append(t.render());
            }
            return sb.toString();
        }

        /** A figure with at most three decimals; "-" when not known. */
        private static String amount(JsonNode v) {
            if (v == null || !v.isNumber()) {
                return "-";
            }
            return new java.math.BigDecimal(v.asDouble()).setScale(3, java.math.RoundingMode.HALF_UP).stripTrailingZeros()
                    .toPlainString();
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
