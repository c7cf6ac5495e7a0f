package io.capstan.server.api;

import io.capstan.model.LoadBalancing;
import io.capstan.model.PartitionKey;
import io.capstan.model.PartitionKeys;
import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.PartitionRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.wire.ServiceResolution;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.Watch;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The naming service: {@code GET /v1/apps/{app}/services/{svc}/resolve[?partitionKey=K&secondaries=true]} answers
 * where a service is reached, and with {@code ?index=N&wait=D} blocks until that answer changes.
 */
public final class NamingApi {

    /** What to resolve: a service, optionally one partition by key, with or without stateful secondaries. */
    public record Question(ServiceName service, String partitionKey, String partitionKind, boolean secondaries) {
    }

    private final ApiContext api;

    public NamingApi(ApiContext api) {
        this.api = api;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/apps/{app}/services/{svc}/resolve", this::resolve);
    }

    private void resolve(Context ctx) {
        ServiceName name = ServiceApi.service(api.store().snapshot(), ctx).name();
        Question question = new Question(name, ctx.queryParam("partitionKey"), ctx.queryParam("partitionKind"),
                Boolean.parseBoolean(ctx.queryParam("secondaries")));
        // Checked once up front so a bad key is a 400 at once, not after a long wait.
        resolution(api.store().snapshot(), question);
        ServiceResolution answer = api.readWatched(ctx, new Watch.Service(name), s -> resolution(s, question),
                r -> r == null ? "" : r.atVersion(0));
        if (answer == null) {
            throw ApiException.notFound("service " + name + " was deleted");
        }
        ctx.json(answer);
    }

    /**
     * The answer to {@code question} in state {@code s}, or null when the service no longer exists. The one place the
     * resolution is computed, so it can later be backed by per-object indexes without changing its callers.
     */
    public static ServiceResolution resolution(ClusterSnapshot s, Question question) {
        ServiceRecord svc = s.services().get(question.service());
        if (svc == null) {
            return null;
        }
        List<PartitionRecord> partitions = svc.partitions();
        if (question.partitionKey() != null || question.partitionKind() != null) {
            PartitionKey wanted;
            try {
                wanted = PartitionKeys.find(partitions.stream().map(PartitionRecord::key).toList(),
                        question.partitionKey(), question.partitionKind());
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(e.getMessage().replaceFirst("^PartitionKey", "partitionKey")
                        .replaceFirst("^PartitionKind", "partitionKind"));
            }
            partitions = partitions.stream().filter(p -> p.key().equals(wanted)).toList();
        }
        boolean stateful = svc.spec().kind() == ServiceKind.STATEFUL;
        Map<Long, ServiceResolution.Replica> replicas = new LinkedHashMap<>();
        Map<Long, java.util.UUID> partitionOf = new LinkedHashMap<>();
        for (Views.EndpointView e : ServiceApi.endpoints(s, svc)) {
            if (stateful && !question.secondaries() && e.role() != ReplicaRole.Primary) {
                continue;
            }
            ServiceResolution.Replica known = replicas.get(e.replicaId());
            Map<String, String> endpoints = new LinkedHashMap<>(known == null ? Map.of() : known.endpoints());
            endpoints.put(e.endpoint(), e.address());
            replicas.put(e.replicaId(), new ServiceResolution.Replica(e.replicaId(), e.node(), e.role(), endpoints));
            partitionOf.put(e.replicaId(), e.partitionId());
        }
        List<ServiceResolution.Partition> out = new ArrayList<>();
        for (PartitionRecord p : partitions) {
            out.add(new ServiceResolution.Partition(p.id(), p.key(), replicas.values().stream()
                    .filter(r -> Objects.equals(partitionOf.get(r.replicaId()), p.id()))
                    .sorted(Comparator.comparing((ServiceResolution.Replica r) -> r.role() != ReplicaRole.Primary)
                            .thenComparingLong(ServiceResolution.Replica::replicaId))
                    .toList()));
        }
        return new ServiceResolution(svc.name().shortName(), svc.spec().kind(), s.index(), out, loadBalancing(s, svc));
    }

    /**
     * What the service was created (or updated) with, else what the application's manifest asks for it (its default
     * service's, else its type's), or null for the gateway's default.
     */
    private static LoadBalancing loadBalancing(ClusterSnapshot s, ServiceRecord svc) {
        if (svc.spec().loadBalancing() != null) {
            return svc.spec().loadBalancing();
        }
        ApplicationRecord app = s.applications().get(svc.name().application());
        return app == null ? null : s.applicationType(app.typeName(), app.typeVersion())
                .map(t -> t.manifest().loadBalancingOf(svc.name().service(), svc.spec().serviceType())).orElse(null);
    }
}
