package io.capstan.gateway;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * Retries what another endpoint could answer: connection failures, resets before a response, 503s and 404s from a
 * replica that moved (a 404 marked {@code X-Capstan: ResourceNotFound} is real and passed on). Each retry re-resolves
 * and avoids the endpoints already tried, after an exponential backoff with jitter, within the retry budget. A request
 * that reached a backend is retried only if it is idempotent and has no body to replay.
 */
final class RetryFilter implements ProxyFilter {

    /** The header a service sets on a 404 that means "no such resource", not "the replica moved". */
    static final String CAPSTAN_HEADER = "X-Capstan";

    private final RetryPolicy policy;
    private final RetryBudget budget;
    private final DoubleSupplier random;

    RetryFilter(RetryPolicy policy, DoubleSupplier random) {
        this.policy = policy;
        this.budget = new RetryBudget(policy.budgetPercent(), policy.budgetReserve(), System::nanoTime);
        this.random = random;
    }

    @Override
    public CompletableFuture<Outcome> filter(Chain chain) {
        budget.deposit();
        return attempt(chain, chain.attempt());
    }

    private CompletableFuture<Outcome> attempt(Chain chain, Attempt a) {
        return chain.proceed(a).thenCompose(o -> {
            if (!worthRetrying(o, a.exchange())) {
                return done(o, a.number());
            }
            // Skipping an endpoint whose breaker is open, or that refused the connection, puts no load on a backend:
            // nothing is taken from the budget (which is there to protect backends), and an open breaker needs no backoff.
            boolean free = o instanceof Outcome.Failed f && (f.failure() == Outcome.Failure.CIRCUIT_OPEN
                    || f.failure() == Outcome.Failure.CONNECT_FAILED);
            long backoff = o instanceof Outcome.Failed f && f.failure() == Outcome.Failure.CIRCUIT_OPEN ? 0
                    : policy.backoff(a.number(), random.getAsDouble()).toNanos();
            if (a.number() >= policy.maxAttempts() || System.nanoTime() + backoff >= a.deadlineNanos()
                    || a.exchange().abandoned || (!free && !budget.withdraw())) {
                return done(o, a.number());
            }
            o.discard();
            if (a.exchange().meters != null) {
                a.exchange().meters.retried();
            }
            CompletableFuture<Outcome> next = new CompletableFuture<>();
            a.exchange().client.eventLoop().schedule(() -> attempt(chain, a.retry(endpointOf(o))).whenComplete((r, e) -> {
                if (e != null) {
                    next.completeExceptionally(e);
                } else {
                    next.complete(r);
                }
            }), backoff, TimeUnit.NANOSECONDS);
            return next;
        });
    }

    private static CompletableFuture<Outcome> done(Outcome o, int attempts) {
        return CompletableFuture.completedFuture(o instanceof Outcome.Failed f ? f.withAttempts(attempts) : o);
    }

    private static String endpointOf(Outcome o) {
        return switch (o) {
            case Outcome.Failed f -> f.endpoint();
            case Outcome.Responded r -> r.endpoint();
        };
    }

    static boolean worthRetrying(Outcome o, Exchange ex) {
        return switch (o) {
            case Outcome.Failed f -> f.failure().retryable() && (!f.requestSent() || ex.replayable());
            case Outcome.Responded r -> ex.replayable() && (r.status() == 503 || (r.status() == 404
                    && !"ResourceNotFound".equalsIgnoreCase(r.head().headers().get(CAPSTAN_HEADER))));
        };
    }
}
