package io.capstan.server.api;

import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/**
 * A blocking query on one view of the state that returns when the view changes, not when anything in the
 * cluster does (Nomad's per-object indexes): otherwise every commit would wake every agent waiting on its
 * own assignment. Created at the current state; {@code content} picks what counts as a change.
 */
final class ViewQuery<T> {

    private final ClusterStore store;
    private final Function<ClusterSnapshot, T> view;
    private final Function<T, ?> content;
    private final Object known;
    private ClusterSnapshot state;
    private T current;

    ViewQuery(ClusterStore store, Function<ClusterSnapshot, T> view, Function<T, ?> content) {
        this.store = store;
        this.view = view;
        this.content = content;
        this.state = store.snapshot();
        this.current = view.apply(state);
        this.known = content.apply(current);
    }

    /** Whether a client that saw the state at {@code index} has not seen this one yet: it gets an answer at once. */
    boolean newerThan(long index) {
        return state.index() > index;
    }

    /** Waits until the view differs from what it was at creation, or until {@code wait} has passed. */
    T awaitChange(Duration wait, Clock clock) throws InterruptedException {
        Instant deadline = clock.instant().plus(wait);
        while (content.apply(current).equals(known)) {
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                break;
            }
            state = store.awaitAfter(state.index(), left);
            current = view.apply(state);
        }
        return current;
    }

    T current() {
        return current;
    }

    /** The state index the current view was computed at. */
    long index() {
        return state.index();
    }
}
