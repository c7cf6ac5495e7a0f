package io.capstan.gateway;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One try at answering an exchange, as it moves down the filters: each filter passes on a changed copy (the routed
 * partition and candidate endpoints, the chosen endpoint, the deadline, the endpoints already tried).
 */
public record Attempt(Exchange exchange, int number, boolean reResolve, Set<String> excluded, long deadlineNanos,
        String partition, List<String> candidates, String endpoint) {

    public Attempt {
        excluded = Set.copyOf(excluded);
        candidates = List.copyOf(candidates);
    }

    static Attempt first(Exchange exchange) {
        return new Attempt(exchange, 1, false, Set.of(), Long.MAX_VALUE, null, List.of(), null);
    }

    Attempt withDeadline(long nanos) {
        return new Attempt(exchange, number, reResolve, excluded, nanos, partition, candidates, endpoint);
    }

    Attempt routed(String partitionLabel, List<String> addresses) {
        return new Attempt(exchange, number, reResolve, excluded, deadlineNanos, partitionLabel, addresses, endpoint);
    }

    Attempt to(String address) {
        return new Attempt(exchange, number, reResolve, excluded, deadlineNanos, partition, candidates, address);
    }

    /** The next attempt: re-resolved, and avoiding {@code failedEndpoint} (the one this attempt ended on) too. */
    Attempt retry(String failedEndpoint) {
        Set<String> tried = new HashSet<>(excluded);
        if (failedEndpoint != null) {
            tried.add(failedEndpoint);
        }
        return new Attempt(exchange, number + 1, true, tried, deadlineNanos, null, List.of(), null);
    }
}
