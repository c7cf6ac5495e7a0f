package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "cluster", synopsisSubcommandLabel = "COMMAND",
        description = "The cluster as a whole.",
        subcommands = {ClusterCommands.Status.class, ClusterCommands.Snapshot.class, ClusterCommands.Members.class})
final class ClusterCommands extends GroupCommand {

    @Command(name = "status",
            description = "Leader, servers, nodes up/down, applications, services and replicas ready.")
    static final class Status extends ApiCommand {
        @Override
        public Integer call() {
            show(api().get("/v1/cluster/status"), Status::render);
            return 0;
        }

        static String render(JsonNode s) {
            List<String> servers = new ArrayList<>();
            for (JsonNode server : s.path("servers")) {
                servers.add(Json.text(server, "id")
                        + (server.path("leader").asBoolean(false) ? " (leader)" : "")
                        + (Json.text(server, "raftAddress") == null ? "" : " " + Json.text(server, "raftAddress"))
                        + (Json.text(server, "apiUrl") == null ? "" : " " + Json.text(server, "apiUrl")));
            }
            JsonNode nodes = s.path("nodes");
            JsonNode replicas = s.path("replicas");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"Leader", Json.text(s, "leader") == null ? "none (no leader elected)" : Json.text(s, "leader")});
            rows.add(new String[] {"Answered by", Json.text(s, "self")});
            rows.add(new String[] {"Index", Json.text(s, "index")});
            rows.add(new String[] {"Servers", String.join(", ", servers)});
            rows.add(new String[] {"Nodes", Json.number(nodes, "up", 0) + " up, " + Json.number(nodes, "down", 0) + " down, "
                    + Json.number(nodes, "disabled", 0) + " disabled (" + Json.number(nodes, "total", 0) + " total)"});
            rows.add(new String[] {"Application types", Json.text(s, "applicationTypes")});
            rows.add(new String[] {"Applications", Json.text(s, "applications")});
            rows.add(new String[] {"Services", Json.text(s, "services")});
            rows.add(new String[] {"Replicas", Json.number(replicas, "ready", 0) + "/" + Json.number(replicas, "total", 0) + " ready"});
            return Table.keyValues(rows);
        }
    }

    @Command(name = "snapshot",
            description = "Write a snapshot of the cluster state now on the server answering (the log before it is then purged).")
    static final class Snapshot extends ApiCommand {
        @Override
        public Integer call() {
            show(api().post("/v1/cluster/snapshot", object()), s -> "snapshot at index " + Json.text(s, "index") + ": "
                    + Json.text(s, "bytes") + " bytes written in " + Json.text(s, "millis") + " ms\n");
            return 0;
        }
    }

    @Command(name = "members", synopsisSubcommandLabel = "COMMAND",
            description = "The control-plane servers of the Raft group; add or remove one at run time (Ratis setConfiguration).",
            subcommands = {MembersList.class, MembersAdd.class, MembersRemove.class})
    static final class Members extends GroupCommand {
    }

    @Command(name = "list", description = "List the servers of the group's current configuration.")
    static final class MembersList extends ApiCommand {
        @Override
        public Integer call() {
            showList(api().get("/v1/cluster/members"), "no members", ClusterCommands::membersTable);
            return 0;
        }
    }

    @Command(name = "add", description = "Add a server started with `capstan server --join`; it catches up from the log or a snapshot.")
    static final class MembersAdd extends ApiCommand {
        @picocli.CommandLine.Parameters(index = "0", paramLabel = "ID", description = "The new server's --name.")
        String id;

        @picocli.CommandLine.Parameters(index = "1", paramLabel = "HOST:PORT", description = "The new server's --raft-address.")
        String raftAddress;

        @Override
        public Integer call() {
            var body = object();
            body.put("id", id);
            body.put("raftAddress", raftAddress);
            showList(api().post("/v1/cluster/members", body), "no members", ClusterCommands::membersTable);
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove a server from the group (stop it afterwards).")
    static final class MembersRemove extends ApiCommand {
        @picocli.CommandLine.Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            showList(api().delete(ApiClient.path("v1", "cluster", "members", id)), "no members", ClusterCommands::membersTable);
            return 0;
        }
    }

    static Table membersTable(com.fasterxml.jackson.databind.JsonNode body) {
        Table t = new Table("ID", "RAFT ADDRESS", "LEADER", "API");
        for (var m : Json.items(body)) {
            t.row(Json.text(m, "id"), Json.text(m, "raftAddress"), m.path("leader").asBoolean(false) ? "yes" : "",
                    m.path("apiUrl").isTextual() ? Json.text(m, "apiUrl") : "-");
        }
        return t;
    }
}
