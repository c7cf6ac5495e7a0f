package io.capstan.agent;

import java.time.Duration;

/** A doubling delay between retries of a failing call, from {@code initial} up to {@code max}; reset on success. */
final class RetryDelay {

    private final Duration initial;
    private final Duration max;
    private Duration next;

    RetryDelay(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
        this.next = initial;
    }

    Duration next() {
        Duration d = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return d;
    }

    void reset() {
        next = initial;
    }
}
