package io.capstan.gateway;

import io.capstan.model.ServiceName;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's metrics in a Micrometer Prometheus registry, scraped on {@code /metrics}: per service, requests by
 * status class, a latency histogram and retries; the circuit breakers' states (Resilience4j's binding); open client and
 * backend connections. The meters of a service are built once and cached, so a request costs one map lookup.
 */
public final class GatewayMetrics {

    /** The service label of requests for a service the naming service does not know (keeps the label set bounded). */
    static final String UNKNOWN_SERVICE = "(unknown)";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<ServiceName, ServiceMeters> services = new ConcurrentHashMap<>();
    private final ServiceMeters unknown;
    private final AtomicInteger clientConnections = new AtomicInteger();
    private final AtomicInteger backendConnections = new AtomicInteger();

    GatewayMetrics() {
        unknown = new ServiceMeters(UNKNOWN_SERVICE);
        Gauge.builder("capstan.gateway.connections.open", clientConnections, AtomicInteger::get)
                .description("Open connections").tag("side", "client").register(registry);
        Gauge.builder("capstan.gateway.connections.open", backendConnections, AtomicInteger::get)
                .description("Open connections").tag("side", "backend").register(registry);
    }

    /** Publishes the state of every breaker in {@code breakers} (one series per endpoint and state). */
    void bindBreakers(CircuitBreakerRegistry breakers) {
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
    }

    /** The meters of {@code service}, built on its first request. */
    ServiceMeters of(ServiceName service) {
        ServiceMeters m = services.get(service);
        return m != null ? m : services.computeIfAbsent(service, s -> new ServiceMeters(s.shortName()));
    }

    /** The meters requests for services that do not exist count on. */
    ServiceMeters unknownService() {
        return unknown;
    }

    AtomicInteger clientConnections() {
        return clientConnections;
    }

    AtomicInteger backendConnections() {
        return backendConnections;
    }

    /** Everything in Prometheus text exposition format (0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    /** One service's meters. */
    final class ServiceMeters {
        private final Counter[] byStatusClass = new Counter[5];
        private final Timer latency;
        private final Counter retries;

        ServiceMeters(String service) {
            for (int c = 1; c <= 5; c++) {
                byStatusClass[c - 1] = Counter.builder("capstan.gateway.requests")
                        .description("Requests answered, by service and status class")
                        .tags("service", service, "status", c + "xx").register(registry);
            }
            latency = Timer.builder("capstan.gateway.request.duration")
                    .description("Time from a request's head to the end of its response, retries included")
                    .tag("service", service)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(60))
                    .register(registry);
            retries = Counter.builder("capstan.gateway.retries")
                    .description("Attempts made again on another endpoint").tag("service", service).register(registry);
        }

        /** A request answered with {@code status} after {@code nanos} (status 499, the client left, counts as 4xx). */
        void answered(int status, long nanos) {
            int c = Math.clamp(status / 100, 1, 5);
            byStatusClass[c - 1].increment();
            latency.record(nanos, TimeUnit.NANOSECONDS);
        }

        void retried() {
            retries.increment();
        }
    }
}
