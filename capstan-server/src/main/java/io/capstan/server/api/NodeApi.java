package io.capstan.server.api;

import io.capstan.model.Names;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.cluster.NodeDisableIntent;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.wire.HeartbeatAnswer;
import io.capstan.model.wire.NodeCommand;
import io.capstan.model.wire.NodeCommandResult;
import io.capstan.model.wire.NodeReport;
import java.time.Duration;
import io.capstan.server.NodeAssignments;
import io.capstan.server.control.HeartbeatPolicy;
import io.capstan.server.control.HeartbeatTracker;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.Watch;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Nodes as operators see them, and the agent protocol: register, heartbeat, assignment, report. */
public final class NodeApi {

    /** How long {@code GET /v1/nodes/{name}/commands/{id}?wait=D} may block. */
    static final Duration MAX_COMMAND_WAIT = Duration.ofMinutes(5);
    static final int MAX_ERROR_CHARS = 8192;
    static final int MAX_RESULT_BYTES = 4 * 1024 * 1024;

    private final ApiContext api;
    private final HeartbeatTracker heartbeats;
    private final HeartbeatPolicy heartbeatPolicy;
    private final MeasuredUsage measured;
    private final NodeCommandQueue commands;

    public NodeApi(ApiContext api, HeartbeatTracker heartbeats, HeartbeatPolicy heartbeatPolicy) {
        this.measured = new MeasuredUsage();
        this.commands = new NodeCommandQueue(api.clock());
        this.api = api;
        this.heartbeats = heartbeats;
        this.heartbeatPolicy = heartbeatPolicy;
    }


    public void register(RoutesConfig routes) {
        routes.get("/v1/nodes", ctx -> {
            ClusterSnapshot s = api.read(ctx);
            ctx.json(new Views.Items<>(s.nodes().values().stream().map(n -> view(s, n, false)).toList()));
        });
        routes.get("/v1/nodes/{name}", ctx -> {
            ClusterSnapshot s = api.read(ctx);
            ctx.json(view(s, node(s, ctx.pathParam("name")), true));
        });
        routes.post("/v1/nodes", this::registerNode);
        routes.post("/v1/nodes/{name}/heartbeat", ctx -> {
            String name = ctx.pathParam("name");
            // A linearizable read (from the leader's Ratis lease): a deposed leader that has not noticed yet cannot
            // answer, so no answer renews an agent's lease while another leader may be moving its Primaries.
            NodeRecord node = node(api.current(ctx), name);
            heartbeats.beat(name);
            if (node.status() == NodeStatus.Down) {
                api.write(ctx, new ClusterCommand.SetNodeStatus(name, NodeStatus.Up, "heartbeats resumed", api.clock().instant()));
            }
            int nodes = api.store().snapshot().nodes().size();
            ctx.json(new HeartbeatAnswer(heartbeatPolicy.interval(nodes).toMillis(), heartbeatPolicy.downAfter(nodes).toMillis(),
                    commands.take(name)));
        });
        routes.post("/v1/nodes/{name}/disable", this::disable);
        routes.delete("/v1/nodes/{name}", ctx -> {
            String name = node(api.store().snapshot(), ctx.pathParam("name")).name();
            api.write(ctx, new ClusterCommand.RemoveNode(name, api.clock().instant()));
            heartbeats.forget(name);
            measured.forget(name);
            commands.forget(name);
            ctx.json(Map.of());
        });
        routes.post("/v1/nodes/{name}/enable", ctx -> {
            String name = node(api.store().snapshot(), ctx.pathParam("name")).name();
            ClusterSnapshot s = api.write(ctx, new ClusterCommand.EnableNode(name, api.clock().instant()));
            ctx.json(view(s, s.nodes().get(name)));
        });
        routes.get("/v1/nodes/{name}/assignment", ctx -> {
            String name = node(api.store().snapshot(), ctx.pathParam("name")).name();
            ctx.json(api.readWatched(ctx, new Watch.Assignment(name), s -> NodeAssignments.forNode(s, name)));
        });
        routes.post("/v1/nodes/{name}/report", this::report);
        routes.post("/v1/nodes/{name}/commands", this::submitCommand);
        routes.get("/v1/nodes/{name}/commands/{id}", ctx -> {
            String name = node(api.store().snapshot(), ctx.pathParam("name")).name();
            Duration wait = api.duration(ctx, "wait", Duration.ZERO);
            if (wait.compareTo(MAX_COMMAND_WAIT) > 0) {
                wait = MAX_COMMAND_WAIT;
            }
            try {
                ctx.json(commands.await(name, ctx.pathParam("id"), wait));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(503, "UNAVAILABLE", "the server is shutting down");
            }
        });
        routes.post("/v1/nodes/{name}/commands/{id}/result", ctx -> {
            String name = node(api.store().snapshot(), ctx.pathParam("name")).name();
            NodeCommandResult result = api.body(ctx, NodeCommandResult.class);
            if (!result.succeeded() && (result.error() == null || result.error().isBlank())) {
                throw ApiException.invalid("error: a failed command needs an error saying why");
            }
            if (result.error() != null && result.error().length() > MAX_ERROR_CHARS) {
                throw ApiException.invalid("error: at most " + MAX_ERROR_CHARS + " characters");
            }
            if (ctx.bodyAsBytes().length > MAX_RESULT_BYTES) {
                throw ApiException.invalid("result: at most " + MAX_RESULT_BYTES + " bytes of JSON");
            }
            ctx.json(commands.complete(name, ctx.pathParam("id"), result));
        });
        routes.get("/v1/nodes/{name}/deployed", ctx -> {
            ClusterSnapshot s = api.read(ctx);
            String name = node(s, ctx.pathParam("name")).name();
            ctx.json(new Views.DeployedView(name, List.copyOf(s.deployedOn(name))));
        });
        routes.get("/v1/deployed", ctx -> {
            ClusterSnapshot s = api.read(ctx);
            String application = ctx.queryParam("application");
            ctx.json(new Views.Items<>(s.deployed().values().stream().flatMap(m -> m.values().stream())
                    .filter(d -> application == null || d.application().equals(application.replaceFirst("^capstan:/", "")))
                    .toList()));
        });
    }

    private Views.NodeView view(ClusterSnapshot s, NodeRecord n) {
        return view(s, n, false);
    }

    private Views.NodeView view(ClusterSnapshot s, NodeRecord n, boolean detailed) {
        return Views.node(s, n, heartbeats.lastHeartbeat(n.name()).orElse(null), measured.of(n.name()).orElse(null),
                detailed);
    }

    private void registerNode(Context ctx) {
        NodeDescription d = api.body(ctx, NodeDescription.class);
        String problem = Names.problem(d.name());
        if (problem != null) {
            throw ApiException.invalid("name: node name " + problem);
        }
        String denied = io.capstan.server.acl.AccessControl.caller(ctx).deniedFor(d.name());
        if (denied != null) {
            throw new ApiException(403, "PERMISSION_DENIED", denied + "; register it with that node's token");
        }
        if (d.faultDomain() == null || !d.faultDomain().startsWith("fd:/")) {
            throw ApiException.invalid("faultDomain: '" + d.faultDomain() + "' must look like fd:/dc1/rack1");
        }
        if (d.upgradeDomain() == null || d.upgradeDomain().isBlank()) {
            throw ApiException.invalid("upgradeDomain: is missing; give one like UD0");
        }
        ClusterSnapshot s = api.store().snapshot();
        NodeRecord existing = s.nodes().get(d.name());
        // Before the write: once it commits, the liveness check may look at the node before this handler goes on.
        heartbeats.beat(d.name());
        if (existing == null || !existing.description().equals(d) || existing.status() == NodeStatus.Down) {
            s = api.write(ctx, new ClusterCommand.RegisterNode(d, api.clock().instant()));
        }
        ctx.json(view(s, s.nodes().get(d.name())));
    }

    /** Body of {@code POST /v1/nodes/{name}/commands}. */
    record CommandRequest(String kind, String reference) {
    }

    /** Queues a command for the node's agent; it travels with the node's next heartbeat answer. */
    private void submitCommand(Context ctx) {
        NodeRecord node = node(api.store().snapshot(), ctx.pathParam("name"));
        CommandRequest request = api.body(ctx, CommandRequest.class);
        NodeCommand.Kind kind = null;
        for (NodeCommand.Kind k : NodeCommand.Kind.values()) {
            if (k.name().equalsIgnoreCase(request.kind() == null ? "" : request.kind())) {
                kind = k;
            }
        }
        if (kind == null) {
            throw ApiException.invalid("kind: '" + request.kind() + "' is not a command; use ImageList, ImagePull or ImagePrune");
        }
        String reference = request.reference();
        if (kind == NodeCommand.Kind.ImagePull) {
            if (reference == null || reference.isBlank() || reference.length() > 512 || !reference.matches("\\S+")) {
                throw ApiException.invalid("reference: give the image to pull, like registry:5000/team/web:1.4 or"
                        + " registry:5000/team/web@sha256:<hex> (at most 512 characters, no spaces)");
            }
        } else if (reference != null) {
            throw ApiException.invalid("reference: only ImagePull takes a reference");
        }
        if (node.status() == NodeStatus.Down) {
            throw new ApiException(409, "NODE_DOWN", "node " + node.name() + " is Down: its agent cannot take commands"
                    + " until it heartbeats again");
        }
        ctx.status(202).json(commands.submit(node.name(), kind, reference));
    }

    /** Body of {@code POST /v1/nodes/{name}/disable}. */
    record DisableRequest(String intent) {
    }

    private void disable(Context ctx) {
        String name = node(api.store().snapshot(), ctx.pathParam("name")).name();
        String intentText = api.body(ctx, DisableRequest.class).intent();
        if (intentText == null) {
            throw ApiException.invalid("intent: is missing; use restart (the node comes back after maintenance) or remove (it leaves)");
        }
        NodeDisableIntent intent = switch (intentText.toLowerCase(Locale.ROOT)) {
            case "restart" -> NodeDisableIntent.Restart;
            case "remove" -> NodeDisableIntent.Remove;
            default -> throw ApiException.invalid("intent: '" + intentText + "' is not an intent; use restart or remove");
        };
        ClusterSnapshot s = api.write(ctx, new ClusterCommand.DisableNode(name, intent, api.clock().instant()));
        ctx.json(view(s, s.nodes().get(name)));
    }

    /**
     * Commits a report only when it changes what the state says about the node: reports repeat often. Its measured
     * use is checked first and kept in memory only (MeasuredUsage), once the rest went through.
     */
    private void report(Context ctx) {
        NodeReport report = api.body(ctx, NodeReport.class);
        String name = ctx.pathParam("name");
        if (!name.equals(report.node())) {
            throw ApiException.invalid("node: the report is for '" + report.node() + "' but was sent to /v1/nodes/" + name);
        }
        String usageProblem = MeasuredUsage.problem(report);
        if (usageProblem != null) {
            throw ApiException.invalid(usageProblem);
        }
        NodeReport measuredReport = report;
        report = report.withoutUsage();
        ClusterSnapshot s = api.store().snapshot();
        node(s, name);
        heartbeats.beat(name);
        Map<ActivationKey, DeployedServicePackage> reported = new TreeMap<>();
        report.deployed().forEach(d -> reported.put(d.key(), d));
        Map<ActivationKey, DeployedServicePackage> known = new TreeMap<>();
        s.deployedOn(name).forEach(d -> known.put(d.key(), d));
        if (!reported.equals(known)) {
            api.write(ctx, new ClusterCommand.ReportNode(report, api.clock().instant()));
        }
        measured.record(measuredReport, api.clock().instant());
        ctx.json(Map.of());
    }

    static NodeRecord node(ClusterSnapshot s, String name) {
        NodeRecord n = s.nodes().get(name);
        if (n == null) {
            throw ApiException.notFound("node " + name + " is not registered; see `capstan node list`");
        }
        return n;
    }
}
