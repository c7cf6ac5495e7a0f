package io.capstan.gateway;

import io.capstan.model.LoadBalancing;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How a gateway runs: the servers it resolves names through, where it listens, and its routing defaults.
 * {@code loadBalancing} maps {@code App/Service} to the choice for that service (over what its manifest says);
 * {@code defaultLoadBalancing} is for services whose manifest says nothing.
 * {@code ioThreads} is the number of event loops (0: one per core). {@code watchIdle} is how long a service may go
 * without a request before the gateway stops watching it (its next request resolves it afresh).
 */
public record GatewayConfig(
        List<URI> servers,
        String host,
        int port,
        LoadBalancing defaultLoadBalancing,
        Map<String, LoadBalancing> loadBalancing,
        Duration defaultTimeout,
        RetryPolicy retry,
        BreakerSettings breaker,
        int ioThreads,
        Duration watchIdle) {

    public GatewayConfig {
        servers = List.copyOf(servers);
        loadBalancing = Map.copyOf(loadBalancing);
        watchIdle = watchIdle == null ? DEFAULT_WATCH_IDLE : watchIdle;
        if (watchIdle.isNegative() || watchIdle.isZero()) {
            throw new IllegalArgumentException("--watch-idle: give a positive duration, e.g. 10m");
        }
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("--servers: give at least one server API URL, e.g. http://127.0.0.1:19080");
        }
    }

    /** How long an unused service stays watched unless told otherwise. */
    public static final Duration DEFAULT_WATCH_IDLE = Duration.ofMinutes(10);

    /** The defaults: 127.0.0.1, least outstanding requests, a 60 s timeout, the default retry and breaker settings. */
    public static GatewayConfig defaults(List<URI> servers, int port) {
        return new GatewayConfig(servers, "127.0.0.1", port, LoadBalancing.LEAST_REQUESTS, Map.of(),
                Duration.ofSeconds(60), RetryPolicy.defaults(), BreakerSettings.defaults(), 0, DEFAULT_WATCH_IDLE);
    }

    public GatewayConfig withBreaker(BreakerSettings settings) {
        return new GatewayConfig(servers, host, port, defaultLoadBalancing, loadBalancing, defaultTimeout, retry, settings, ioThreads, watchIdle);
    }

    public GatewayConfig withRetry(RetryPolicy policy) {
        return new GatewayConfig(servers, host, port, defaultLoadBalancing, loadBalancing, defaultTimeout, policy, breaker, ioThreads, watchIdle);
    }

    public GatewayConfig withLoadBalancing(LoadBalancing fallback, Map<String, LoadBalancing> perService) {
        return new GatewayConfig(servers, host, port, fallback, perService, defaultTimeout, retry, breaker, ioThreads, watchIdle);
    }

    public GatewayConfig withDefaultTimeout(Duration timeout) {
        return new GatewayConfig(servers, host, port, defaultLoadBalancing, loadBalancing, timeout, retry, breaker, ioThreads, watchIdle);
    }

    public GatewayConfig withIoThreads(int threads) {
        return new GatewayConfig(servers, host, port, defaultLoadBalancing, loadBalancing, defaultTimeout, retry, breaker, threads, watchIdle);
    }

    public GatewayConfig withWatchIdle(Duration idle) {
        return new GatewayConfig(servers, host, port, defaultLoadBalancing, loadBalancing, defaultTimeout, retry, breaker,
                ioThreads, idle);
    }

    /**
     * The load balancing a service gets: the gateway's per-service option, else {@code fromManifest} (what the resolve
     * answer carries), else the gateway's default.
     */
    public LoadBalancing loadBalancingOf(String service, LoadBalancing fromManifest) {
        LoadBalancing forced = loadBalancing.get(service);
        return forced != null ? forced : fromManifest != null ? fromManifest : defaultLoadBalancing;
    }

    /**
     * Per-endpoint circuit breaker settings: over the last {@code window} calls (at least {@code minimumCalls}),
     * a failure rate of {@code failureRatePercent} opens it; after {@code openFor} one probe is let through.
     */
    public record BreakerSettings(int window, int minimumCalls, float failureRatePercent, Duration openFor) {
        public static BreakerSettings defaults() {
            return new BreakerSettings(20, 5, 50, Duration.ofSeconds(5));
        }
    }
}
