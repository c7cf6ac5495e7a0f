package io.capstan.gateway;

import io.capstan.model.PartitionKey;
import io.capstan.model.PartitionKeys;
import io.capstan.model.ServiceKind;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.wire.ServiceResolution;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Routes an attempt to a partition and its candidate endpoints: resolves the service (from the cache, or afresh on a
 * retry), finds the partition of the request's key, keeps the replicas the selector asks for (the Primary of a
 * stateful service by default) and takes each one's endpoint named by {@code ListenerName} (or its first).
 */
final class RoutingFilter implements ProxyFilter {

    private final ResolutionCache cache;
    private final GatewayMetrics metrics;

    RoutingFilter(ResolutionCache cache, GatewayMetrics metrics) {
        this.cache = cache;
        this.metrics = metrics;
    }

    @Override
    public CompletableFuture<Outcome> filter(Chain chain) {
        Attempt a = chain.attempt();
        Route route = a.exchange().route;
        CompletableFuture<ServiceResolution> resolution = a.reResolve() ? cache.refresh(route.service())
                : cache.resolve(route.service());
        return resolution.handleAsync((r, e) -> e, a.exchange().client.eventLoop()).thenCompose(e -> {
            if (e != null) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                return CompletableFuture.completedFuture(cause instanceof ResolutionSource.ServiceNotFound
                        ? failed(404, Outcome.Failure.SERVICE_NOT_FOUND, cause.getMessage(), null)
                        : failed(503, Outcome.Failure.NAMING_UNAVAILABLE, "cannot resolve " + route.service().shortName()
                                + ": " + cause.getMessage(), null));
            }
            if (a.exchange().meters == null) {
                a.exchange().meters = metrics.of(route.service());
            }
            return route(chain, a, resolution.join());
        });
    }

    private CompletableFuture<Outcome> route(Chain chain, Attempt a, ServiceResolution r) {
        Route route = a.exchange().route;
        a.exchange().manifestLoadBalancing = r.loadBalancing();
        PartitionKey key;
        try {
            key = PartitionKeys.find(r.partitions().stream().map(ServiceResolution.Partition::key).toList(),
                    route.partitionKey(), route.partitionKind());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(failed(400, Outcome.Failure.BAD_REQUEST, e.getMessage(), null));
        }
        ServiceResolution.Partition partition = r.partitions().stream().filter(p -> p.key().equals(key)).findFirst().orElseThrow();
        Route.ReplicaSelector selector = route.selector() != null ? route.selector()
                : r.kind() == ServiceKind.STATEFUL ? Route.ReplicaSelector.PrimaryReplica : Route.ReplicaSelector.RandomInstance;
        List<String> addresses = new ArrayList<>();
        for (ServiceResolution.Replica replica : partition.replicas()) {
            boolean wanted = switch (selector) {
                case PrimaryReplica -> r.kind() != ServiceKind.STATEFUL || replica.role() == ReplicaRole.Primary;
                case RandomSecondaryReplica -> replica.role() == ReplicaRole.ActiveSecondary;
                case RandomInstance -> true;
            };
            String address = route.listenerName() != null ? replica.endpoints().get(route.listenerName())
                    : new TreeMap<>(replica.endpoints()).values().stream().findFirst().orElse(null);
            if (wanted && address != null) {
                addresses.add(address);
            }
        }
        String label = key.label();
        if (addresses.isEmpty()) {
            return CompletableFuture.completedFuture(failed(503, Outcome.Failure.NO_ENDPOINT, "no ready " + selector
                    + (route.listenerName() != null ? " with an endpoint named '" + route.listenerName() + "'" : "")
                    + " of " + route.service().shortName() + " partition " + label, label));
        }
        return chain.proceed(a.routed(label, addresses)).thenApply(o -> o instanceof Outcome.Failed f && f.partition() == null
                ? f.withPartition(label) : o);
    }

    private static Outcome.Failed failed(int status, Outcome.Failure failure, String message, String partition) {
        return new Outcome.Failed(status, failure, message, partition, null, false, 0);
    }
}
