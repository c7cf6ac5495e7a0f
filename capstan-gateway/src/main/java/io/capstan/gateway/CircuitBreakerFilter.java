package io.capstan.gateway;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Resilience4j circuit breaker per endpoint: repeated failures (connection failures, resets, 5xx) open it and the
 * endpoint is skipped; after the open period one probe is let through (half-open), and its result closes or reopens it.
 */
final class CircuitBreakerFilter implements ProxyFilter {

    private final CircuitBreakerRegistry registry;

    CircuitBreakerFilter(GatewayConfig.BreakerSettings settings) {
        this.registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.window())
                .minimumNumberOfCalls(settings.minimumCalls())
                .failureRateThreshold(settings.failureRatePercent())
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
    }

    CircuitBreakerRegistry registry() {
        return registry;
    }

    /** The breaker state of {@code endpoint}: CLOSED, OPEN or HALF_OPEN. */
    CircuitBreaker.State state(String endpoint) {
        return registry.circuitBreaker(endpoint).getState();
    }

    @Override
    public CompletableFuture<Outcome> filter(Chain chain) {
        Attempt a = chain.attempt();
        CircuitBreaker breaker = registry.circuitBreaker(a.endpoint());
        if (!breaker.tryAcquirePermission()) {
            return CompletableFuture.completedFuture(new Outcome.Failed(503, Outcome.Failure.CIRCUIT_OPEN,
                    "the circuit breaker of " + a.endpoint() + " is open after repeated failures", a.partition(),
                    a.endpoint(), false, a.number()));
        }
        long start = breaker.getCurrentTimestamp();
        return chain.proceed(a).whenComplete((o, e) -> {
            long took = breaker.getCurrentTimestamp() - start;
            TimeUnit unit = breaker.getTimestampUnit();
            if (o instanceof Outcome.Responded r && r.status() < 500) {
                breaker.onSuccess(took, unit);
            } else if (o instanceof Outcome.Failed f && !f.failure().retryable()) {
                breaker.releasePermission();
            } else {
                breaker.onError(took, unit, new IOException(o instanceof Outcome.Failed f ? f.message()
                        : o instanceof Outcome.Responded r ? "status " + r.status() : String.valueOf(e)));
            }
        });
    }
}
