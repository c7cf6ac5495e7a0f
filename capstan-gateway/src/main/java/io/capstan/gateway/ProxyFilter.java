package io.capstan.gateway;

import java.util.concurrent.CompletableFuture;

/**
 * One concern of proxying a request (routing, retry, circuit breaking, timeout, load balancing), as an interceptor in
 * the style of OkHttp's: it looks at the attempt, may change it, calls {@link Chain#proceed} zero or more times and
 * returns an outcome. Filters run on the client connection's event loop and must not block.
 */
@FunctionalInterface
public interface ProxyFilter {

    CompletableFuture<Outcome> filter(Chain chain);

    /** The rest of the chain, from this filter on. */
    interface Chain {
        Attempt attempt();

        /** Runs the next filter on {@code attempt}. */
        CompletableFuture<Outcome> proceed(Attempt attempt);
    }
}
