package io.capstan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    private final AtomicLong now = new AtomicLong();

    @Test
    void retriesStayWithinThePercentOfRequestsPlusTheReservePerSecond() {
        RetryBudget budget = new RetryBudget(20, 3, now::get);
        int allowed = 0;
        for (int i = 0; i < 1000; i++) {
            budget.deposit();
            if (budget.withdraw()) {
                allowed++;
            }
        }
        // Within one second: 3 from the reserve, and one retry per 5 requests from the deposits.
        assertThat(allowed).isBetween(200, 203);
        assertThat(budget.withdraw()).isFalse();
        now.addAndGet(1_000_000_000L);
        assertThat(budget.withdraw()).as("the reserve of a new second").isTrue();
    }
}
