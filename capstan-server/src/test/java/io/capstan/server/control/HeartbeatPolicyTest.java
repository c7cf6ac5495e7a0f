package io.capstan.server.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Heartbeats scale with the cluster so the leader absorbs at most a fixed rate; small clusters keep 1 s / 3 s. */
class HeartbeatPolicyTest {

    private final HeartbeatPolicy policy = HeartbeatPolicy.withDownAfter(Duration.ofSeconds(3));

    @Test
    void smallClustersKeepTheDefaults() {
        assertThat(policy.interval(3)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.downAfter(3)).isEqualTo(Duration.ofSeconds(3));
        assertThat(policy.interval(2_000)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void largeClustersHeartbeatLessOftenAndGetThreeIntervalsOfGrace() {
        assertThat(policy.interval(10_000)).isEqualTo(Duration.ofSeconds(5));
        assertThat(policy.downAfter(10_000)).isEqualTo(Duration.ofSeconds(15));
        for (int nodes : new int[] {2_001, 5_000, 10_000, 50_000}) {
            double beatsPerSecond = nodes / (policy.interval(nodes).toMillis() / 1000.0);
            assertThat(beatsPerSecond).as("%d nodes", nodes).isLessThanOrEqualTo(HeartbeatPolicy.DEFAULT_MAX_BEATS_PER_SECOND + 1);
        }
    }

    @Test
    void anOperatorsLongerGraceIsKept() {
        assertThat(HeartbeatPolicy.withDownAfter(Duration.ofMinutes(1)).downAfter(10_000)).isEqualTo(Duration.ofMinutes(1));
    }
}
