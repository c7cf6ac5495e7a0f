package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "acl", synopsisSubcommandLabel = "COMMAND",
        description = "Access control for a cluster run with --acl: the bootstrap and the tokens (send one with --token"
                + " or CAPSTAN_TOKEN).",
        subcommands = {AclCommands.Bootstrap.class, AclCommands.Tokens.class})
final class AclCommands extends GroupCommand {

    /** The printout of a token just created: its secret, shown this once. */
    static String created(JsonNode t) {
        return Table.keyValues(List.of(
                new String[] {"Id", Json.text(t, "id")},
                new String[] {"Name", Json.text(t, "name")},
                new String[] {"Role", Json.text(t, "role")},
                new String[] {"Expires", Json.text(t, "expiresAt") == null ? "never" : Json.text(t, "expiresAt")},
                new String[] {"Secret", Json.text(t, "secret")}))
                + "The secret is shown only now: keep it (e.g. export CAPSTAN_TOKEN=<secret>).\n";
    }

    @Command(name = "bootstrap", description = "Create the first admin token; once per cluster (a second one is refused).")
    static final class Bootstrap extends ApiCommand {
        @Override
        public Integer call() {
            show(api().post("/v1/acl/bootstrap", object()), AclCommands::created);
            return 0;
        }
    }

    @Command(name = "token", synopsisSubcommandLabel = "COMMAND", description = "Create, list and revoke tokens (role admin).",
            subcommands = {Create.class, ListTokens.class, Revoke.class})
    static final class Tokens extends GroupCommand {
    }

    @Command(name = "create", description = "Create a token; its secret is printed once.")
    static final class Create extends ApiCommand {
        @Option(names = "--role", required = true, paramLabel = "ROLE",
                description = "read (reads only), operate (also changes workloads, nodes, health, upgrades),"
                        + " admin (also tokens and membership) or agent (the node protocol only).")
        String role;

        @Option(names = "--name", paramLabel = "N", description = "A name for the audit trail (default: <role>-<id prefix>).")
        String name;

        @Option(names = "--ttl", paramLabel = "D", description = "How long it works, e.g. 24h (default: until revoked).")
        String ttl;

        @Option(names = "--node", paramLabel = "NODE", description = "With --role agent: the one node the token may register,"
                + " heartbeat and report for (default: any node).")
        String node;

        @Override
        public Integer call() {
            if (!List.of("read", "operate", "admin", "agent").contains(role)) {
                throw usage("--role: '" + role + "' is not a role; give read, operate, admin or agent");
            }
            ObjectNode body = object().put("role", role);
            if (name != null) {
                body.put("name", name);
            }
            if (node != null) {
                body.put("node", node);
            }
            if (ttl != null) {
                body.put("ttl", ttl);
            }
            show(api().post("/v1/acl/tokens", body), AclCommands::created);
            return 0;
        }
    }

    @Command(name = "list", description = "List the tokens: id, name, role, expiry (never their secrets).")
    static final class ListTokens extends ApiCommand {
        @Override
        public Integer call() {
            showList(api().get("/v1/acl/tokens"), "no tokens", body -> {
                Table t = new Table("ID", "NAME", "ROLE", "CREATED", "EXPIRES");
                for (JsonNode n : Json.items(body)) {
                    String expires = Json.text(n, "expiresAt") == null ? "never"
                            : Json.text(n, "expiresAt") + (n.path("expired").asBoolean() ? " (expired)" : "");
                    t.row(Json.text(n, "id"), Json.text(n, "name"), Json.text(n, "role"), Json.text(n, "createdAt"), expires);
                }
                return t;
            });
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke a token by its id: it stops working at once.")
    static final class Revoke extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The token's id (`capstan acl token list`).")
        String id;

        @Override
        public Integer call() {
            show(api().delete(ApiClient.path("v1", "acl", "tokens", id)), b -> "token " + id + " revoked\n");
            return 0;
        }
    }
}
