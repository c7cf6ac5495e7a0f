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
        assertThat(policy.interval(500)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void largeClustersHeartbeatLessOftenAndGetThreeIntervalsOfGrace() {
        assertThat(policy.interval(10_000)).isEqualTo(Duration.ofSeconds(20));
        assertThat(policy.downAfter(10_000)).isEqualTo(Duration.ofSeconds(60));
        for (int nodes : new int[] {501, 5_000, 10_000, 50_000}) {
            double beatsPerSecond = nodes / (policy.interval(nodes).toMillis() / 1000.0);
            assertThat(beatsPerSecond).as("%d nodes", nodes).isLessThanOrEqualTo(HeartbeatPolicy.DEFAULT_MAX_BEATS_PER_SECOND + 1);
        }
    }

    @Test
    void anOperatorsLongerGraceIsKept() {
        assertThat(HeartbeatPolicy.withDownAfter(Duration.ofMinutes(2)).downAfter(10_000)).isEqualTo(Duration.ofMinutes(2));
    }
}
