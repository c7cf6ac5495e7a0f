package io.capstan.gateway;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps retries from amplifying an outage (Finagle's retry budget): every request deposits {@code percent}/100 of a
 * retry, every retry withdraws one, and a small reserve lets the first retries of a quiet gateway through. Over time,
 * retries stay within {@code percent} % of requests.
 */
final class RetryBudget {

    private static final long UNIT = 100;
    private final long perRequest;
    private final long cap;
    private final AtomicLong balance;

    RetryBudget(int percent, int reserve) {
        this.perRequest = percent;
        this.cap = Math.max(reserve, 1) * UNIT;
        this.balance = new AtomicLong(cap);
    }

    void deposit() {
        balance.updateAndGet(b -> Math.min(cap, b + perRequest));
    }

    /** Takes one retry from the budget; false when none is left. */
    boolean withdraw() {
        while (true) {
            long b = balance.get();
            if (b < UNIT) {
                return false;
            }
            if (balance.compareAndSet(b, b - UNIT)) {
                return true;
            }
        }
    }
}
