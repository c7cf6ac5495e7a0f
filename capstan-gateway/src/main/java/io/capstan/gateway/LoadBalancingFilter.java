package io.capstan.gateway;

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

    private final GatewayConfig config;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> turns = new ConcurrentHashMap<>();

    LoadBalancingFilter(GatewayConfig config) {
        this.config = config;
    }

    @Override
    public CompletableFuture<Outcome> filter(Chain chain) {
        Attempt a = chain.attempt();
        List<String> fresh = a.candidates().stream().filter(c -> !a.excluded().contains(c)).toList();
        List<String> from = fresh.isEmpty() ? a.candidates() : fresh;
        String service = a.exchange().route.service().shortName();
        String chosen = switch (config.loadBalancingOf(service)) {
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
