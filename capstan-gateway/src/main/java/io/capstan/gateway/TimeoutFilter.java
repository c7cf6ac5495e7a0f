package io.capstan.gateway;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Per-route timeouts: a request's {@code Timeout} (or the gateway's default) bounds the time until a response head,
 * retries included; then the client gets a 504 and the attempt in flight is cut off.
 */
final class TimeoutFilter implements ProxyFilter {

    private final Duration fallback;

    TimeoutFilter(Duration fallback) {
        this.fallback = fallback;
    }

    @Override
    public CompletableFuture<Outcome> filter(Chain chain) {
        Attempt a = chain.attempt();
        Duration timeout = a.exchange().route.timeout() != null ? a.exchange().route.timeout() : fallback;
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        var timer = a.exchange().client.eventLoop().schedule(() -> {
            if (result.complete(new Outcome.Failed(504, Outcome.Failure.TIMEOUT, "no response from "
                    + a.exchange().route.service().shortName() + " within " + io.capstan.model.Durations.format(timeout),
                    null, a.exchange().backend == null ? null : String.valueOf(a.exchange().backend.remoteAddress()),
                    a.exchange().bodySent, 0))) {
                if (a.exchange().backend != null) {
                    a.exchange().backend.close();
                }
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        chain.proceed(a.withDeadline(System.nanoTime() + timeout.toNanos())).whenComplete((o, e) -> {
            timer.cancel(false);
            Outcome out = o != null ? o : new Outcome.Failed(502, Outcome.Failure.RESET, String.valueOf(e), null, null,
                    a.exchange().bodySent, 0);
            if (!result.complete(out)) {
                out.discard();
            }
        });
        return result;
    }
}
