package io.capstan.server.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a Down node's Primaries have surely been demoted by their agent: last heard + lease (3 s) + margin (1.3 s). */
class PrimaryFencesTest {

    private static final Instant T0 = Instant.parse("2026-12-04T00:00:00Z");
    private static final HeartbeatPolicy POLICY = HeartbeatPolicy.withDownAfter(Duration.ofSeconds(3));

    private final ClusterState state = new ClusterState();
    private final MovableClock clock = new MovableClock(T0);
    private final HeartbeatTracker heartbeats = new HeartbeatTracker(clock);
    private long index;

    @Test
    void theLeaseAndItsMarginComeFromTheHeartbeatPolicy() {
        assertThat(POLICY.lease(3)).isEqualTo(Duration.ofSeconds(3));
        assertThat(POLICY.leaseMargin(3)).isEqualTo(Duration.ofMillis(1300));
        // 10,000 nodes heartbeat every 20 s: a 60 s lease and a 26 s margin.
        assertThat(POLICY.lease(10_000)).isEqualTo(Duration.ofSeconds(60));
        assertThat(POLICY.leaseMargin(10_000)).isEqualTo(Duration.ofSeconds(26));
    }

    @Test
    void aNodeHeardByThisLeaderIsFencedUntilItsLastHeartbeatPlusLeaseAndMargin() {
        PrimaryFences fences = new PrimaryFences(heartbeats, POLICY, T0);
        register("n1");
        register("n2");
        clock.set(T0.plusSeconds(10));
        heartbeats.beat("n1");
        markDown("n1", T0.plusMillis(13_300));

        Instant until = T0.plusMillis(14_300);
        assertThat(fences.at(state.snapshot(), T0.plusMillis(13_300))).isEqualTo(Map.of("n1", until));
        assertThat(fences.at(state.snapshot(), until.minusMillis(1))).containsOnlyKeys("n1");
        assertThat(fences.at(state.snapshot(), until)).as("surely demoted: promotions may go").isEmpty();
    }

    @Test
    void aNewLeaderCountsFromTheDownMarkingWhenThatIsEarlierThanAnythingItHeard() {
        register("n1");
        register("n2");
        markDown("n1", T0.plusSeconds(5));
        // This server leads from 20 s on and never heard n1: the marking at 5 s bounds the agent's last renewal.
        PrimaryFences fences = new PrimaryFences(heartbeats, POLICY, T0.plusSeconds(20));
        assertThat(fences.at(state.snapshot(), T0.plusSeconds(6))).isEqualTo(Map.of("n1", T0.plusMillis(9_300)));
        assertThat(fences.at(state.snapshot(), T0.plusMillis(9_300))).isEmpty();
    }

    @Test
    void aHeartbeatFromBeforeThisLeadershipCountsAsTheLeadershipsStart() {
        register("n1");
        register("n2");
        clock.set(T0.plusSeconds(1));
        heartbeats.beat("n1"); // heard in an earlier term of this server; another leader may have heard it since
        PrimaryFences fences = new PrimaryFences(heartbeats, POLICY, T0.plusSeconds(4));
        markDown("n1", T0.plusSeconds(7));
        // Not 1 s + 4.3 s: counted from the start of this leadership, 4 s.
        assertThat(fences.at(state.snapshot(), T0.plusSeconds(7))).isEqualTo(Map.of("n1", T0.plusMillis(8_300)));
    }

    @Test
    void upNodesAreNeverFenced() {
        register("n1");
        assertThat(new PrimaryFences(heartbeats, POLICY, T0).at(state.snapshot(), T0)).isEmpty();
    }

    private void register(String node) {
        apply(new ClusterCommand.RegisterNode(new NodeDescription(node, "127.0.0.1:7000", "fd:/1", "ud1", Map.of(), Map.of()), T0));
    }

    private void markDown(String node, Instant at) {
        apply(new ClusterCommand.SetNodeStatus(node, NodeStatus.Down, "missed heartbeats", at));
    }

    private void apply(ClusterCommand command) {
        assertThat(state.apply(++index, command).applied()).isTrue();
    }

    /** A clock the test moves: heartbeats are stamped with it. */
    private static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant start) {
            now = start;
        }

        void set(Instant at) {
            now = at;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
