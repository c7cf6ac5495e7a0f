package io.capstan.server.api;

import io.capstan.model.Names;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.manifest.DefaultServiceManifest;
import io.capstan.model.manifest.ParameterSubstitution;
import io.capstan.server.ServiceDefinitions;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Creating, listing and deleting applications (with their default services). */
public final class ApplicationApi {

    /** The body of {@code POST /v1/apps}. */
    public record CreateApplicationRequest(String name, String type, String version, Map<String, String> parameters) {
    }

    private final ApiContext api;
    private final ServiceDefinitions definitions;

    public ApplicationApi(ApiContext api, ServiceDefinitions definitions) {
        this.api = api;
        this.definitions = definitions;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/apps", this::create);
        routes.get("/v1/apps", ctx -> {
            ClusterSnapshot s = api.read(ctx);
            ctx.json(new Views.Items<>(s.applications().values().stream().map(a -> Views.application(s, a)).toList()));
        });
        routes.get("/v1/apps/{app}", ctx -> {
            ClusterSnapshot s = api.read(ctx);
            ctx.json(Views.application(s, application(s, ctx.pathParam("app"))));
        });
        routes.delete("/v1/apps/{app}", ctx -> {
            api.write(ctx, new ClusterCommand.DeleteApplication(Names.applicationName(ctx.pathParam("app")), api.clock().instant()));
            ctx.json(Map.of());
        });
    }

    private void create(Context ctx) {
        CreateApplicationRequest req = api.body(ctx, CreateApplicationRequest.class);
        List<String> problems = new ArrayList<>();
        String name = req.name() == null ? null : req.name().replaceFirst("^capstan:/", "");
        String nameProblem = Names.problem(name);
        if (nameProblem != null) {
            problems.add("name: application name " + nameProblem);
        }
        if (req.type() == null || req.type().isBlank()) {
            problems.add("type: the application type is missing; see `capstan apptype list`");
        }
        if (req.version() == null || req.version().isBlank()) {
            problems.add("version: the application type version is missing; see `capstan apptype list`");
        }
        if (!problems.isEmpty()) {
            throw new ApiException(400, "INVALID", String.join("; ", problems), problems);
        }
        ClusterSnapshot s = api.store().snapshot();
        ApplicationTypeRecord type = ApplicationTypeApi.type(s, req.type(), req.version());
        if (s.applications().containsKey(name)) {
            throw new ApiException(409, "ALREADY_EXISTS", "application capstan:/" + name
                    + " already exists; choose another name or delete it first");
        }
        Map<String, String> parameters;
        try {
            parameters = ParameterSubstitution.effective(type.manifest().parameters(),
                    req.parameters() == null ? Map.of() : req.parameters());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("parameters: " + e.getMessage());
        }
        Instant at = api.clock().instant();
        ApplicationRecord app = new ApplicationRecord(name, type.name(), type.version(), parameters, at);
        List<ClusterCommand.NewService> defaults = new ArrayList<>();
        for (DefaultServiceManifest d : type.manifest().defaultServices()) {
            defaults.add(definitions.define(app, type, d.name(), d.spec()));
        }
        ClusterSnapshot after = api.write(ctx, new ClusterCommand.CreateApplication(app, defaults, at));
        ctx.status(201).json(Views.application(after, application(after, name)));
    }

    static ApplicationRecord application(ClusterSnapshot s, String name) {
        String n = name.replaceFirst("^capstan:/", "");
        ApplicationRecord a = s.applications().get(n);
        if (a == null) {
            throw ApiException.notFound("application " + n + " does not exist; see `capstan app list`");
        }
        return a;
    }
}
