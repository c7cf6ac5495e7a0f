package io.capstan.gateway;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** An immutable list of filters and a position in it; {@link #proceed} hands the attempt to the filter at that position. */
final class FilterChain implements ProxyFilter.Chain {

    private final List<ProxyFilter> filters;
    private final int index;
    private final Attempt attempt;

    FilterChain(List<ProxyFilter> filters, int index, Attempt attempt) {
        this.filters = List.copyOf(filters);
        this.index = index;
        this.attempt = attempt;
    }

    @Override
    public Attempt attempt() {
        return attempt;
    }

    @Override
    public CompletableFuture<Outcome> proceed(Attempt next) {
        if (index >= filters.size()) {
            throw new IllegalStateException("the last filter must answer, not proceed");
        }
        try {
            return filters.get(index).filter(new FilterChain(filters, index + 1, next));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
