package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "app", synopsisSubcommandLabel = "COMMAND",
        description = "Applications: instances of a registered application type.",
        subcommands = {AppCommands.Create.class, AppCommands.ListApps.class, AppCommands.Show.class,
            AppCommands.Delete.class})
final class AppCommands extends GroupCommand {

    @Command(name = "create",
            description = "Create an application (and its default services) from a registered application type.")
    static final class Create extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME", converter = Converters.Application.class,
                description = "Application name: App1 or capstan:/App1.")
        String name;

        @Option(names = "--type", required = true, paramLabel = "T", converter = Converters.Name.class,
                description = "Application type name.")
        String type;

        @Option(names = "--version", required = true, paramLabel = "V", description = "Application type version.")
        String version;

        @Option(names = "--param", paramLabel = "K=V",
                description = "Overrides an application parameter; repeatable.")
        Map<String, String> params = new LinkedHashMap<>();

        @Mixin
        WaitOptions waiting;

        ObjectNode body() {
            ObjectNode body = object();
            body.put("name", name);
            body.put("type", type);
            body.put("version", version);
            if (!params.isEmpty()) {
                ObjectNode p = body.putObject("parameters");
                params.forEach((k, v) -> {
                    if (k.isBlank()) {
                        throw usage("--param '" + k + "=" + v + "': the parameter name is empty; write --param Name=value");
                    }
                    p.put(k, v);
                });
            }
            return body;
        }

        @Override
        public Integer call() {
            if (version.isBlank()) {
                throw usage("--version must not be empty");
            }
            ObjectNode body = body();
            ApiResponse created = api().post("/v1/apps", body);
            ApiResponse last = created;
            if (waiting.wait) {
                info("created capstan:/" + name + "; waiting for its services (up to " + io.capstan.model.Durations.format(waiting.timeout) + ")");
                last = new Convergence(api(), context(), err(), waiting.timeout).application(name);
            }
            if (json()) {
                printBody(last);
            } else {
                JsonNode view = last.json();
                String services = Json.joined(view.path("services"));
                result("created application capstan:/" + name + " (" + type + " " + version + ")"
                        + (services == null ? "" : " with services " + services)
                        + (waiting.wait ? ": " + Json.readyOfWanted(view.path("replicas")) + " replicas ready" : ""));
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List applications.")
    static final class ListApps extends ApiCommand {
        @Override
        public Integer call() {
            showList(api().get("/v1/apps"), "no applications", ListApps::table);
            return 0;
        }

        static Table table(JsonNode body) {
            Table t = new Table("NAME", "TYPE", "VERSION", "SERVICES", "READY", "CONVERGED");
            for (JsonNode app : Json.items(body)) {
                t.row(Json.text(app, "name"), Json.text(app, "type"), Json.text(app, "version"),
                        app.path("services").size(), Json.readyOfWanted(app.path("replicas")),
                        app.path("converged").asBoolean(false) ? "yes" : "no");
            }
            return t;
        }
    }

    @Command(name = "show", description = "Show one application.")
    static final class Show extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME", converter = Converters.Application.class)
        String name;

        @Override
        public Integer call() {
            show(api().get(ApiClient.path("v1", "apps", name)), Show::render);
            return 0;
        }

        static String render(JsonNode app) {
            JsonNode r = app.path("replicas");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"Name", Json.text(app, "name")});
            rows.add(new String[] {"URI", Json.text(app, "uri")});
            rows.add(new String[] {"Type", Json.text(app, "type") + " " + Json.text(app, "version")});
            rows.add(new String[] {"Parameters", Json.pairs(app.path("parameters"))});
            rows.add(new String[] {"Services", Json.joined(app.path("services"))});
            rows.add(new String[] {"Replicas", Json.number(r, "ready", 0) + " ready, " + Json.number(r, "placed", 0)
                    + " placed, " + Json.number(r, "wanted", 0) + " wanted"});
            rows.add(new String[] {"Converged", app.path("converged").asBoolean(false) ? "yes" : "no"});
            JsonNode u = app.path("upgrade");
            if (u.isObject()) {
                rows.add(new String[] {"Upgrade", Json.text(u, "state") + " " + Json.text(u, "fromVersion") + " -> "
                        + Json.text(u, "toVersion") + (u.path("currentDomain").isTextual() ? ", domain " + Json.text(u, "currentDomain")
                        : "") + " (capstan upgrade status " + Json.text(app, "name") + ")"});
            }
            rows.add(new String[] {"Created", Json.text(app, "createdAt")});
            return Table.keyValues(rows);
        }
    }

    @Command(name = "delete",
            description = "Delete an application, its services and replicas; agents stop its processes.")
    static final class Delete extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME", converter = Converters.Application.class)
        String name;

        @Mixin
        WaitOptions waiting;

        @Override
        public Integer call() {
            ApiResponse deleted = api().delete(ApiClient.path("v1", "apps", name));
            if (waiting.wait) {
                info("deleted capstan:/" + name + "; waiting for its processes to stop");
                new Convergence(api(), context(), err(), waiting.timeout).applicationGone(name);
            }
            if (json()) {
                printBody(deleted);
            } else {
                result("deleted application capstan:/" + name);
            }
            return 0;
        }
    }
}
