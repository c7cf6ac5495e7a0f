package io.capstan.agent;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An explicit lifecycle, as Ratis's LifeCycle: NEW → STARTING → RUNNING → CLOSING → CLOSED, where a failed
 * start and a close before start go straight to CLOSING. Transitions only move forward.
 */
public final class LifeCycle {

    /** The states, in the only order they can be passed through. */
    public enum State {
        NEW, STARTING, RUNNING, CLOSING, CLOSED;

        private Set<State> next() {
            return switch (this) {
                case NEW -> EnumSet.of(STARTING, CLOSING);
                case STARTING -> EnumSet.of(RUNNING, CLOSING);
                case RUNNING -> EnumSet.of(CLOSING);
                case CLOSING -> EnumSet.of(CLOSED);
                case CLOSED -> EnumSet.noneOf(State.class);
            };
        }

        public boolean canGoTo(State to) {
            return next().contains(to);
        }
    }

    private final String name;
    private final AtomicReference<State> current = new AtomicReference<>(State.NEW);

    public LifeCycle(String name) {
        this.name = name;
    }

    public State current() {
        return current.get();
    }

    /** Moves to {@code to}; throws when the move is not allowed from the current state. */
    public void transition(State to) {
        while (true) {
            State from = current.get();
            if (!from.canGoTo(to)) {
                throw new IllegalStateException(name + " cannot go from " + from + " to " + to);
            }
            if (current.compareAndSet(from, to)) {
                return;
            }
        }
    }

    /** Moves from {@code from} to {@code to} only if the current state is {@code from}. */
    public boolean compareAndTransition(State from, State to) {
        if (!from.canGoTo(to)) {
            throw new IllegalStateException(name + " cannot go from " + from + " to " + to);
        }
        return current.compareAndSet(from, to);
    }

    @Override
    public String toString() {
        return name + ":" + current.get();
    }
}
