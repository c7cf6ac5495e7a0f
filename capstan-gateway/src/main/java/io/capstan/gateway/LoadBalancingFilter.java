package io.capstan.gateway;

import io.capstan.model.LoadBalancing;
import io.capstan.model.ServiceName;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Picks one of the routed endpoints (avoiding ones this request already tried, while others remain) by the service's
 * load balancing: round robin, or least outstanding requests by the power of two choices. Counts requests in flight
 * per endpoint until their responses have been passed on.
 */
final class LoadBalancingFilter implements ProxyFilter {

    private final Map<ServiceName, LoadBalancing> forced = new HashMap<>();
    private final LoadBalancing fallback;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<ServiceName, AtomicLong> turns = new ConcurrentHashMap<>();

    LoadBalancingFilter(GatewayConfig config) {
        // Keyed by ServiceName, so a request looks its service up without building its short name.
        config.loadBalancing().forEach((name, lb) -> forced.put(ServiceName.parse(name), lb));
        this.fallback = config.defaultLoadBalancing();
    }

    /** The gateway's per-service option, else what the manifest says, else the gateway's default. */
    private LoadBalancing of(ServiceName service, LoadBalancing fromManifest) {
        LoadBalancing f = forced.get(service);
        return f != null ? f : fromManifest != null ? fromManifest : fallback;
    }

    @Override
    public CompletableFuture<Outcome> filter(Chain chain) {
        Attempt a = chain.attempt();
        List<String> fresh = a.candidates().stream().filter(c -> !a.excluded().contains(c)).toList();
        List<String> from = fresh.isEmpty() ? a.candidates() : fresh;
        ServiceName service = a.exchange().route.service();
        String chosen = switch (of(service, a.exchange().manifestLoadBalancing)) {
            case ROUND_ROBIN -> from.get((int) Math.floorMod(turns.computeIfAbsent(service, s -> new AtomicLong())
                    .getAndIncrement(), (long) from.size()));
            case LEAST_REQUESTS -> leastOfTwo(from);
        };
        AtomicInteger load = inFlight.computeIfAbsent(chosen, c -> new AtomicInteger());
        load.incrementAndGet();
        return chain.proceed(a.to(chosen)).whenComplete((o, e) -> {
            if (o instanceof Outcome.Responded r) {
                r.finished().whenComplete((v, x) -> load.decrementAndGet());
            } else {
                load.decrementAndGet();
            }
        });
    }

    private String leastOfTwo(List<String> from) {
        if (from.size() == 1) {
            return from.getFirst();
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = random.nextInt(from.size());
        int j = random.nextInt(from.size() - 1);
        if (j >= i) {
            j++;
        }
        return outstanding(from.get(j)) < outstanding(from.get(i)) ? from.get(j) : from.get(i);
    }

    /** Requests in flight to {@code endpoint}. */
    int outstanding(String endpoint) {
        AtomicInteger n = inFlight.get(endpoint);
        return n == null ? 0 : n.get();
    }
}
