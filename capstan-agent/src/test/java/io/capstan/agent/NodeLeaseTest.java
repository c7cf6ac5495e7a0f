package io.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The node's lease on a clock the test moves: from when the answered beat was sent, never shortened. */
class NodeLeaseTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final NodeLease lease = new NodeLease(now::get);

    @Test
    void notHeldBeforeTheFirstAnswer() {
        assertThat(lease.held()).isFalse();
    }

    @Test
    void heldForTheStatedLeaseFromWhenTheBeatWasSent() {
        long sent = lease.now();
        advance(Duration.ofMillis(400)); // the answer took 400 ms
        lease.renew(sent, Duration.ofSeconds(3));
        assertThat(lease.held()).isTrue();
        advance(Duration.ofMillis(2_599));
        assertThat(lease.held()).isTrue();
        advance(Duration.ofMillis(1));
        assertThat(lease.held()).as("3 s after the beat went out, not after its answer").isFalse();
    }

    @Test
    void aLateAnswerToAnOlderBeatNeverShortensTheLease() {
        long older = lease.now();
        advance(Duration.ofSeconds(1));
        lease.renew(lease.now(), Duration.ofSeconds(3));
        lease.renew(older, Duration.ofSeconds(3));
        advance(Duration.ofMillis(2_500));
        assertThat(lease.held()).isTrue();
    }

    @Test
    void anAnswerStatingNoLeaseGrantsOneWithoutEnd() throws InterruptedException {
        lease.renew(lease.now(), Duration.ZERO);
        advance(Duration.ofDays(365));
        assertThat(lease.held()).isTrue();
    }

    @Test
    void awaitLossReturnsOnceTheLeaseRanOut() throws InterruptedException {
        lease.renew(lease.now(), Duration.ofMillis(1));
        advance(Duration.ofMillis(1));
        lease.awaitLoss();
        assertThat(lease.held()).isFalse();
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }
}
