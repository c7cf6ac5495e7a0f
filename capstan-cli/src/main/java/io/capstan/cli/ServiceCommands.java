package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capstan.model.ActivationMode;
import io.capstan.model.Durations;
import io.capstan.model.PartitionScheme;
import io.capstan.model.ServiceName;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "service", synopsisSubcommandLabel = "COMMAND",
        description = "Services: instances of a service type inside an application.",
        subcommands = {ServiceCommands.Create.class, ServiceCommands.ListServices.class, ServiceCommands.Show.class,
            ServiceCommands.Update.class, ServiceCommands.Delete.class})
final class ServiceCommands extends GroupCommand {

    static final String KIND_FORMS = "--stateless --instances N or --stateful --replicas N [--min-replicas M]";

    @Command(name = "create", description = "Create a service in an application.",
            customSynopsis = {
                "capstan service create APP/SVC --type T",
                "        (--stateless --instances N | --stateful --replicas N [--min-replicas M])",
                "        [--partitions singleton|range:LOW:HIGH:COUNT|named:A,B,...]",
                "        [--activation shared|exclusive] [--constraint EXPR] [--load-balancing round-robin|least-requests]",
                "        [--wait] [--timeout DURATION] [--server URL] [-o table|json]"})
    static final class Create extends ApiCommand {
        @Parameters(index = "0", paramLabel = "APP/SVC", converter = Converters.Service.class,
                description = "The service: App1/ServiceA or capstan:/App1/ServiceA.")
        ServiceName name;

        @Option(names = "--type", required = true, paramLabel = "T", converter = Converters.Name.class,
                description = "Service type (registered by the application's type).")
        String type;

        @Option(names = "--stateless", description = "A stateless service: give --instances.")
        boolean stateless;

        @Option(names = "--instances", paramLabel = "N",
                description = "Instances per partition of a stateless service; -1 means one on every eligible node.")
        Integer instances;

        @Option(names = "--stateful", description = "A stateful service: give --replicas (and optionally --min-replicas).")
        boolean stateful;

        @Option(names = "--replicas", paramLabel = "N", description = "Target replica set size of a stateful service.")
        Integer replicas;

        @Option(names = "--min-replicas", paramLabel = "M",
                description = "Minimum replica set size of a stateful service (default: a majority of --replicas).")
        Integer minReplicas;

        @Option(names = "--partitions", paramLabel = "SCHEME", converter = Converters.Partitioning.class,
                description = "singleton (default), range:LOW:HIGH:COUNT or named:A,B,...")
        PartitionScheme partitions;

        @Option(names = "--activation", paramLabel = "MODE", converter = Converters.Activation.class,
                description = "shared (default: one copy of the service package per node and application)"
                        + " or exclusive (one copy per replica).")
        ActivationMode activation;

        @Option(names = "--constraint", paramLabel = "EXPR",
                description = "Placement constraint over node properties, e.g. 'NodeType == \"frontend\"'.")
        String constraint;

        @Option(names = "--load-balancing", paramLabel = "POLICY",
                description = "How the gateway spreads requests: round-robin or least-requests (default: the manifest's, else least-requests).")
        String loadBalancing;

        @Mixin
        WaitOptions waiting;

        /** The POST body, after checking the kind options go together. */
        ObjectNode body() {
            if (stateless && stateful) {
                throw usage("--stateless and --stateful are mutually exclusive: give " + KIND_FORMS);
            }
            if (!stateless && !stateful) {
                throw usage("say what kind of service this is: " + KIND_FORMS);
            }
            ObjectNode body = object();
            body.put("name", name.service());
            body.put("serviceType", type);
            if (stateless) {
                if (replicas != null || minReplicas != null) {
                    throw usage("--replicas and --min-replicas are for --stateful services; a --stateless service takes --instances N");
                }
                if (instances == null) {
                    throw usage("--stateless needs --instances N (N >= 1, or -1 for one on every eligible node)");
                }
                if (instances == 0 || instances < -1) {
                    throw usage("--instances must be at least 1, or -1 for one on every eligible node; got " + instances);
                }
                body.put("kind", "stateless");
                body.put("instanceCount", instances);
            } else {
                if (instances != null) {
                    throw usage("--instances is for --stateless services; a --stateful service takes --replicas N [--min-replicas M]");
                }
                if (replicas == null) {
                    throw usage("--stateful needs --replicas N (the target replica set size, N >= 1)");
                }
                if (replicas < 1) {
                    throw usage("--replicas must be at least 1; got " + replicas);
                }
                int min = minReplicas == null ? replicas / 2 + 1 : minReplicas;
                if (min < 1 || min > replicas) {
                    throw usage("--min-replicas must be between 1 and --replicas (" + replicas + "); got " + min);
                }
                body.put("kind", "stateful");
                body.put("targetReplicaSetSize", replicas);
                body.put("minReplicaSetSize", min);
            }
            body.set("partitions", ApiClient.JSON.valueToTree(partitions == null ? new PartitionScheme.Singleton() : partitions));
            body.put("activation", (activation == null ? ActivationMode.SHARED_PROCESS : activation).wireName());
            if (constraint != null) {
                body.put("placementConstraints", constraint);
            }
            if (loadBalancing != null) {
                body.put("loadBalancing", loadBalancing);
            }
            return body;
        }

        @Override
        public Integer call() {
            ObjectNode body = body();
            ApiResponse created = api().post(ApiClient.path("v1", "apps", name.application(), "services"), body);
            ApiResponse last = created;
            if (waiting.wait) {
                info("created " + name.uri() + "; waiting for its replicas (up to " + Durations.format(waiting.timeout) + ")");
                last = new Convergence(api(), context(), err(), waiting.timeout).service(name);
            }
            if (json()) {
                printBody(last);
            } else {
                JsonNode view = last.json();
                result("created service " + name.uri() + " (" + type + ", " + body.get("kind").asText() + ", "
                        + view.path("partitions").size() + " partition(s))"
                        + (waiting.wait ? ": " + Json.readyOfWanted(view.path("replicas")) + " replicas ready" : ""));
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List the services of an application.")
    static final class ListServices extends ApiCommand {
        @Parameters(index = "0", paramLabel = "APP", converter = Converters.Application.class)
        String app;

        @Override
        public Integer call() {
            showList(api().get(ApiClient.path("v1", "apps", app, "services")), "no services in capstan:/" + app,
                    ListServices::table);
            return 0;
        }

        static Table table(JsonNode body) {
            Table t = new Table("NAME", "TYPE", "KIND", "ACTIVATION", "PARTITIONS", "READY", "STATUS");
            for (JsonNode s : Json.items(body)) {
                t.row(Json.text(s, "name"), Json.text(s, "serviceType"), Json.text(s, "kind"), Json.text(s, "activation"),
                        s.path("partitions").size(), Json.readyOfWanted(s.path("replicas")), status(s));
            }
            return t;
        }
    }

    static String status(JsonNode service) {
        String problem = Json.problem(service);
        if (problem != null) {
            return "cannot place: " + problem;
        }
        return service.path("converged").asBoolean(false) ? "converged" : "converging";
    }

    @Command(name = "show", description = "Show a service and its partitions.")
    static final class Show extends ApiCommand {
        @Parameters(index = "0", paramLabel = "APP/SVC", converter = Converters.Service.class)
        ServiceName name;

        @Override
        public Integer call() {
            show(api().get(ApiClient.servicePath(name)), Show::render);
            return 0;
        }

        static String render(JsonNode s) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"Name", Json.text(s, "uri")});
            rows.add(new String[] {"Type", Json.text(s, "serviceType") + " (" + Json.text(s, "kind") + ")"});
            rows.add(new String[] {"Service package", Json.text(s, "servicePackage")});
            rows.add(new String[] {"Activation", Json.text(s, "activation")});
            rows.add(new String[] {"Partitioning", scheme(s.path("partitionScheme"))});
            if ("stateful".equals(Json.text(s, "kind"))) {
                rows.add(new String[] {"Replicas", "target " + Json.text(s, "targetReplicaSetSize") + ", min "
                        + Json.text(s, "minReplicaSetSize")});
            } else {
                rows.add(new String[] {"Instances", Json.text(s, "instanceCount")});
            }
            rows.add(new String[] {"Constraint", Json.text(s, "placementConstraints")});
            JsonNode r = s.path("replicas");
            rows.add(new String[] {"Ready", Json.number(r, "ready", 0) + " ready, " + Json.number(r, "placed", 0)
                    + " placed, " + Json.number(r, "wanted", 0) + " wanted"});
            rows.add(new String[] {"Status", status(s)});
            rows.add(new String[] {"Created", Json.text(s, "createdAt")});
            StringBuilder sb = new StringBuilder(Table.keyValues(rows));
            Table partitions = new Table("PARTITION", "KEY", "WANTED", "PLACED", "READY", "PRIMARY");
            for (JsonNode p : s.path("partitions")) {
                partitions.row(Json.text(p, "id"), Json.partitionLabel(p.get("key")), Json.text(p, "wanted"),
                        Json.text(p, "placed"), Json.text(p, "ready"), Json.text(p, "primary"));
            }
            if (!partitions.isEmpty()) {
                sb.append('\n').append(partitions.render());
            }
            return sb.toString();
        }

        static String scheme(JsonNode scheme) {
            String kind = Json.text(scheme, "scheme");
            if (kind == null) {
                return null;
            }
            return switch (kind) {
                case "UniformInt64Range" -> "UniformInt64Range " + Json.text(scheme, "low") + ".." + Json.text(scheme, "high")
                        + " in " + Json.text(scheme, "count") + " partitions";
                case "Named" -> "Named " + Json.joined(scheme.path("names"));
                default -> kind;
            };
        }
    }

    @Command(name = "update", description = "Change a service's size or placement constraint.")
    static final class Update extends ApiCommand {
        @Parameters(index = "0", paramLabel = "APP/SVC", converter = Converters.Service.class)
        ServiceName name;

        @Option(names = "--instances", paramLabel = "N", description = "New instance count (stateless; -1: every node).")
        Integer instances;

        @Option(names = "--replicas", paramLabel = "N", description = "New target replica set size (stateful).")
        Integer replicas;

        @Option(names = "--min-replicas", paramLabel = "M", description = "New minimum replica set size (stateful).")
        Integer minReplicas;

        @Option(names = "--constraint", paramLabel = "EXPR", description = "New placement constraint ('' removes it).")
        String constraint;

        @Option(names = "--load-balancing", paramLabel = "POLICY", description = "round-robin or least-requests.")
        String loadBalancing;

        @Option(names = "--activation", paramLabel = "MODE", converter = Converters.Activation.class,
                description = "Passed to the server, which refuses to change the activation mode of a service.")
        ActivationMode activation;

        ObjectNode body() {
            ObjectNode body = object();
            if (instances != null) {
                if (instances == 0 || instances < -1) {
                    throw usage("--instances must be at least 1, or -1 for one on every eligible node; got " + instances);
                }
                body.put("instanceCount", instances);
            }
            if (replicas != null) {
                if (replicas < 1) {
                    throw usage("--replicas must be at least 1; got " + replicas);
                }
                body.put("targetReplicaSetSize", replicas);
            }
            if (minReplicas != null) {
                if (minReplicas < 1 || (replicas != null && minReplicas > replicas)) {
                    throw usage("--min-replicas must be between 1 and the target replica set size; got " + minReplicas);
                }
                body.put("minReplicaSetSize", minReplicas);
            }
            if (constraint != null) {
                body.put("placementConstraints", constraint);
            }
            if (loadBalancing != null) {
                body.put("loadBalancing", loadBalancing);
            }
            if (activation != null) {
                body.put("activation", activation.wireName());
            }
            if (body.isEmpty()) {
                throw usage("nothing to update: give --instances, --replicas, --min-replicas or --constraint");
            }
            return body;
        }

        @Override
        public Integer call() {
            ObjectNode body = body();
            ApiResponse updated = api().patch(ApiClient.servicePath(name), body);
            if (json()) {
                printBody(updated);
            } else {
                result("updated service " + name.uri());
            }
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a service; agents stop its replicas.")
    static final class Delete extends ApiCommand {
        @Parameters(index = "0", paramLabel = "APP/SVC", converter = Converters.Service.class)
        ServiceName name;

        @Mixin
        WaitOptions waiting;

        @Override
        public Integer call() {
            String path = ApiClient.servicePath(name);
            Set<Long> replicaIds = new LinkedHashSet<>();
            if (waiting.wait) {
                for (JsonNode replica : Json.items(api().get(path + "/replicas").json())) {
                    replicaIds.add(replica.path("id").asLong());
                }
            }
            ApiResponse deleted = api().delete(path);
            if (waiting.wait) {
                info("deleted " + name.uri() + "; waiting for its " + replicaIds.size() + " replica(s) to stop");
                new Convergence(api(), context(), err(), waiting.timeout).replicasGone(name, replicaIds);
            }
            if (json()) {
                printBody(deleted);
            } else {
                result("deleted service " + name.uri());
            }
            return 0;
        }
    }
}
