package io.capstan.server.api;

import io.capstan.model.ActivationMode;
import io.capstan.model.LoadBalancing;
import io.capstan.model.PartitionScheme;
import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import io.capstan.model.ServiceSpec;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.server.ServiceDefinitions;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.Watch;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Creating, scaling, listing and deleting services; their replicas and published endpoints. */
public final class ServiceApi {

    /** The body of {@code POST /v1/apps/{app}/services}; {@code kind} defaults to the service type's. */
    public record CreateServiceRequest(String name, String serviceType, ServiceKind kind, Integer instanceCount,
            Integer targetReplicaSetSize, Integer minReplicaSetSize, PartitionScheme partitions, ActivationMode activation,
            String placementConstraints, LoadBalancing loadBalancing) {
    }

    /** The body of {@code PATCH /v1/apps/{app}/services/{svc}}: only the fields to change. */
    public record UpdateServiceRequest(Integer instanceCount, Integer targetReplicaSetSize, Integer minReplicaSetSize,
            String placementConstraints, ActivationMode activation, PartitionScheme partitions, LoadBalancing loadBalancing) {
    }

    private final ApiContext api;
    private final ServiceDefinitions definitions;

    public ServiceApi(ApiContext api, ServiceDefinitions definitions) {
        this.api = api;
        this.definitions = definitions;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/apps/{app}/services", this::create);
        routes.get("/v1/apps/{app}/services", ctx -> {
            ClusterSnapshot s = api.read(ctx);
            ApplicationRecord app = ApplicationApi.application(s, ctx.pathParam("app"));
            ctx.json(new Views.Items<>(s.servicesOf(app.name()).stream().map(x -> Views.service(s, x)).toList()));
        });
        routes.get("/v1/apps/{app}/services/{svc}", ctx -> {
            ClusterSnapshot s = watched(ctx);
            ctx.json(Views.service(s, service(s, ctx)));
        });
        routes.patch("/v1/apps/{app}/services/{svc}", this::update);
        routes.delete("/v1/apps/{app}/services/{svc}", ctx -> {
            ServiceRecord svc = service(api.store().snapshot(), ctx);
            api.write(ctx, new ClusterCommand.DeleteService(svc.name(), api.clock().instant()));
            ctx.json(Map.of());
        });
        routes.get("/v1/apps/{app}/services/{svc}/replicas", ctx -> {
            ClusterSnapshot s = watched(ctx);
            ServiceRecord svc = service(s, ctx);
            ctx.json(new Views.Items<>(s.replicasOf(svc.name()).stream().map(r -> Views.replica(s, r)).toList()));
        });
        routes.get("/v1/apps/{app}/services/{svc}/endpoints", ctx -> {
            ClusterSnapshot s = watched(ctx);
            ctx.json(new Views.Items<>(endpoints(s, service(s, ctx))));
        });
    }

    /**
     * The state to answer a read of one service from; with {@code ?index=N} it waits for a change to that service
     * (its record, replicas, endpoints or health reports), not to anything in the cluster.
     */
    private ClusterSnapshot watched(Context ctx) {
        ServiceName name = service(api.store().snapshot(), ctx).name();
        return api.readWatched(ctx, new Watch.Service(name), s -> s);
    }

    private void create(Context ctx) {
        CreateServiceRequest req = api.body(ctx, CreateServiceRequest.class);
        ClusterSnapshot s = api.store().snapshot();
        ApplicationRecord app = ApplicationApi.application(s, ctx.pathParam("app"));
        ApplicationTypeRecord type = ApplicationTypeApi.type(s, app.typeName(), app.typeVersion());
        if (req.name() == null) {
            throw ApiException.invalid("name: the service name is missing");
        }
        if (req.serviceType() == null) {
            throw ApiException.invalid("serviceType: the service type is missing; "
                    + "the types of " + type.name() + " " + type.version() + " are "
                    + type.manifest().servicePackages().stream().flatMap(p -> p.serviceTypes().stream()).map(t -> t.name()).toList());
        }
        ServiceKind kind = req.kind() != null ? req.kind()
                : type.manifest().serviceType(req.serviceType()).map(t -> t.kind()).orElse(ServiceKind.STATELESS);
        ServiceSpec spec = new ServiceSpec(req.serviceType(), kind, req.activation(), req.partitions(),
                orZero(req.instanceCount()), orZero(req.targetReplicaSetSize()),
                req.minReplicaSetSize() != null ? req.minReplicaSetSize() : orZero(req.targetReplicaSetSize()),
                req.placementConstraints(), req.loadBalancing());
        if (s.services().containsKey(new ServiceName(app.name(), validName(req.name())))) {
            throw new ApiException(409, "ALREADY_EXISTS", "service " + app.name() + "/" + req.name()
                    + " already exists; choose another name or delete it first");
        }
        ClusterCommand.NewService service = definitions.define(app, type, req.name(), spec);
        ClusterSnapshot after = api.write(ctx, new ClusterCommand.CreateService(service, api.clock().instant()));
        ctx.status(201).json(Views.service(after, after.services().get(service.name())));
    }

    private void update(Context ctx) {
        UpdateServiceRequest req = api.body(ctx, UpdateServiceRequest.class);
        ClusterSnapshot s = api.store().snapshot();
        ServiceRecord svc = service(s, ctx);
        ApplicationRecord app = ApplicationApi.application(s, svc.name().application());
        ApplicationTypeRecord type = ApplicationTypeApi.type(s, app.typeName(), app.typeVersion());
        ServiceSpec old = svc.spec();
        ServiceSpec spec = new ServiceSpec(old.serviceType(), old.kind(),
                req.activation() != null ? req.activation() : old.activation(),
                req.partitions() != null ? req.partitions() : old.partitions(),
                req.instanceCount() != null ? req.instanceCount() : old.instanceCount(),
                req.targetReplicaSetSize() != null ? req.targetReplicaSetSize() : old.targetReplicaSetSize(),
                req.minReplicaSetSize() != null ? req.minReplicaSetSize() : old.minReplicaSetSize(),
                req.placementConstraints() != null ? req.placementConstraints() : old.placementConstraints(),
                req.loadBalancing() != null ? req.loadBalancing() : old.loadBalancing());
        if (spec.activation() == old.activation() && spec.partitions().equals(old.partitions())) {
            definitions.checkUpdate(app, type, svc, spec);
        }
        ClusterSnapshot after = api.write(ctx, new ClusterCommand.UpdateService(svc.name(), spec, api.clock().instant()));
        ctx.json(Views.service(after, after.services().get(svc.name())));
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    private static String validName(String name) {
        String problem = io.capstan.model.Names.problem(name);
        if (problem != null) {
            throw ApiException.invalid("name: service name " + problem);
        }
        return name;
    }

    static ServiceRecord service(ClusterSnapshot s, Context ctx) {
        ApplicationRecord app = ApplicationApi.application(s, ctx.pathParam("app"));
        ServiceName name = new ServiceName(app.name(), validName(ctx.pathParam("svc")));
        ServiceRecord svc = s.services().get(name);
        if (svc == null) {
            throw ApiException.notFound("service " + name + " does not exist; see `capstan service list " + app.name() + "`");
        }
        return svc;
    }

    /** Every endpoint of every Ready replica, resolved through the activation hosting it. */
    static List<Views.EndpointView> endpoints(ClusterSnapshot s, ServiceRecord svc) {
        List<Views.EndpointView> out = new ArrayList<>();
        for (ReplicaRecord r : s.replicasOf(svc.name())) {
            if (r.status() != ReplicaStatus.Ready) {
                continue;
            }
            NodeRecord node = s.nodes().get(r.node());
            var key = new ActivationKey(svc.name().application(), svc.servicePackage(), r.activationId());
            s.deployed(r.node(), key).ifPresent(d -> d.endpoints().forEach((endpoint, port) -> out.add(
                    new Views.EndpointView(r.node(), r.id(), r.role(), r.partitionId(), Views.replica(s, r).partition(),
                            endpoint, (node == null ? "127.0.0.1" : node.description().address()) + ":" + port))));
        }
        return out;
    }
}
