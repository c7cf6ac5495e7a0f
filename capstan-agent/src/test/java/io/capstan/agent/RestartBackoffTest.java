package io.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {

    private final RestartBackoff backoff = RestartBackoff.DEFAULT;

    @Test
    void theFirstRestartIsImmediateThenTheDelayDoublesFromTheInitialDelay() {
        assertThat(backoff.delayAfter(1)).isZero();
        assertThat(backoff.delayAfter(2)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delayAfter(3)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delayAfter(4)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.delayAfter(7)).isEqualTo(Duration.ofSeconds(32));
    }

    @Test
    void theDelayIsCapped() {
        assertThat(backoff.delayAfter(8)).isEqualTo(Duration.ofSeconds(60));
        assertThat(backoff.delayAfter(1_000_000)).isEqualTo(Duration.ofSeconds(60));
        assertThat(backoff.delayAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void noFailureMeansNoDelay() {
        assertThat(backoff.delayAfter(0)).isZero();
        assertThat(backoff.delayAfter(-3)).isZero();
    }

    @Test
    void aCapThatIsNotAPowerOfTwoOfTheInitialDelayIsReachedExactly() {
        RestartBackoff b = new RestartBackoff(Duration.ofMillis(300), Duration.ofMillis(1000), Duration.ofSeconds(5));
        assertThat(b.delayAfter(2)).isEqualTo(Duration.ofMillis(300));
        assertThat(b.delayAfter(3)).isEqualTo(Duration.ofMillis(600));
        assertThat(b.delayAfter(4)).isEqualTo(Duration.ofMillis(1000));
    }

    @Test
    void aLongEnoughRunResetsTheFailureCount() {
        assertThat(backoff.resets(Duration.ofSeconds(59))).isFalse();
        assertThat(backoff.resets(Duration.ofSeconds(60))).isTrue();
    }

    @Test
    void nonsenseIsRejected() {
        assertThatThrownBy(() -> new RestartBackoff(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
