package io.capstan.gateway;

import java.util.function.LongSupplier;

/**
 * Keeps retries from amplifying an outage (Finagle's retry budget): every request deposits {@code percent}/100 of a
 * retry and every retry withdraws one, so over time retries stay within {@code percent} % of requests; on top of
 * that, {@code perSecond} retries a second are always allowed, so a quiet gateway can still retry.
 */
final class RetryBudget {

    private static final long UNIT = 100;
    private static final long SECOND = 1_000_000_000L;
    private final long perRequest;
    private final long cap;
    private final int perSecond;
    private final LongSupplier nanoClock;
    private long balance;
    private long windowStart;
    private int usedThisSecond;

    RetryBudget(int percent, int perSecond, LongSupplier nanoClock) {
        this.perRequest = percent;
        this.perSecond = perSecond;
        this.cap = 100 * UNIT;
        this.nanoClock = nanoClock;
        this.windowStart = nanoClock.getAsLong();
    }

    synchronized void deposit() {
        balance = Math.min(cap, balance + perRequest);
    }

    /** Takes one retry from the budget; false when none is left. */
    synchronized boolean withdraw() {
        long now = nanoClock.getAsLong();
        if (now - windowStart >= SECOND) {
            windowStart = now;
            usedThisSecond = 0;
        }
        if (usedThisSecond < perSecond) {
            usedThisSecond++;
            return true;
        }
        if (balance >= UNIT) {
            balance -= UNIT;
            return true;
        }
        return false;
    }
}
