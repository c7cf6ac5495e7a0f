package io.capstan.model.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {

    private final RestartPolicy policy = RestartPolicy.DEFAULT;

    @Test
    void theFirstRestartIsImmediateThenTheDelayDoublesFromTheInitialDelay() {
        assertThat(policy.delayAfter(1)).isZero();
        assertThat(policy.delayAfter(2)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delayAfter(3)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delayAfter(4)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.delayAfter(7)).isEqualTo(Duration.ofSeconds(32));
    }

    @Test
    void theDelayIsCapped() {
        assertThat(policy.delayAfter(8)).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.delayAfter(1_000_000)).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.delayAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void noFailureMeansNoDelay() {
        assertThat(policy.delayAfter(0)).isZero();
        assertThat(policy.delayAfter(-3)).isZero();
    }

    @Test
    void aCapThatIsNotAPowerOfTwoOfTheInitialDelayIsReachedExactly() {
        RestartPolicy p = new RestartPolicy(Duration.ofMillis(300), Duration.ofMillis(1000), Duration.ofSeconds(5), 5);
        assertThat(p.delayAfter(2)).isEqualTo(Duration.ofMillis(300));
        assertThat(p.delayAfter(3)).isEqualTo(Duration.ofMillis(600));
        assertThat(p.delayAfter(4)).isEqualTo(Duration.ofMillis(1000));
    }

    @Test
    void aZeroInitialDelayNeverWaits() {
        RestartPolicy p = new RestartPolicy(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(5), 5);
        assertThat(p.delayAfter(Integer.MAX_VALUE)).isZero();
    }

    @Test
    void aLongEnoughRunResetsTheFailureCount() {
        assertThat(policy.resets(Duration.ofSeconds(59))).isFalse();
        assertThat(policy.resets(Duration.ofSeconds(60))).isTrue();
    }

    @Test
    void nonsenseIsRejected() {
        assertThatThrownBy(() -> new RestartPolicy(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ZERO, 5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RestartPolicy(null, null, null, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
