package io.capstan.gateway;

import io.capstan.model.PartitionKey;
import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.wire.ServiceResolution;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The naming input of the proxy tests: the endpoints a test publishes for one stateless Singleton service, answered
 * with the same blocking-query contract as the server's resolve route. (The server's own route is exercised end to end
 * in capstan-dist's GatewayTest.)
 */
final class PublishedEndpoints implements ResolutionSource {

    private final ServiceName service;
    private final UUID partition = UUID.randomUUID();
    private List<String> addresses = List.of();
    /** What the service's manifest says, as the resolve answer carries it (null: nothing). */
    volatile io.capstan.model.LoadBalancing loadBalancing;
    private long version = 1;
    final AtomicInteger freshReads = new AtomicInteger();

    PublishedEndpoints(ServiceName service) {
        this.service = service;
    }

    synchronized void publish(List<String> now) {
        addresses = List.copyOf(now);
        version++;
        notifyAll();
    }

    @Override
    public synchronized ServiceResolution resolve(ServiceName name, long afterVersion, Duration wait)
            throws java.io.IOException, InterruptedException {
        if (!name.equals(service)) {
            throw new ServiceNotFound("service " + name + " does not exist");
        }
        if (afterVersion == 0) {
            freshReads.incrementAndGet();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (version <= afterVersion && System.nanoTime() < deadline) {
            wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        List<ServiceResolution.Replica> replicas = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            replicas.add(new ServiceResolution.Replica(i + 1, "node-" + (i + 1), ReplicaRole.None, Map.of("web", addresses.get(i))));
        }
        return new ServiceResolution(service.shortName(), ServiceKind.STATELESS, version,
                List.of(new ServiceResolution.Partition(partition, PartitionKey.singleton(), replicas)), loadBalancing);
    }
}
