package io.capstan.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.cluster.ProbeStatus;
import io.capstan.model.cluster.ProbeStatus.Type;
import io.capstan.model.manifest.ProbeSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The threshold rules, without processes or clocks. */
class ProbeStateTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final ProbeResult OK = ProbeResult.pass("HTTP 200 from GET /healthz");
    private static final ProbeResult BAD = ProbeResult.fail("HTTP 503 from GET /healthz");

    private static ProbeSpec spec(int failureThreshold, int successThreshold) {
        return new ProbeSpec(ProbeSpec.Kind.http, "web", "/healthz", null, List.of(), null, null, null, failureThreshold,
                successThreshold);
    }

    @Test
    void readinessPassesAfterSuccessThresholdAndFailsAfterFailureThresholdWithoutGivingUp() {
        ProbeState s = new ProbeState(Type.Readiness, spec(2, 2), null, T0);
        assertThat(s.status()).isEqualTo(new ProbeStatus(Type.Readiness, false, 0, ProbeState.NOT_CHECKED, T0));

        assertThat(s.record(OK, T0.plusSeconds(1))).isEqualTo(new ProbeState.Outcome(false, false));
        assertThat(s.record(OK, T0.plusSeconds(2))).isEqualTo(new ProbeState.Outcome(true, false));
        assertThat(s.status()).isEqualTo(new ProbeStatus(Type.Readiness, true, 0, OK.message(), T0.plusSeconds(2)));

        assertThat(s.record(BAD, T0.plusSeconds(3))).isEqualTo(new ProbeState.Outcome(false, false));
        assertThat(s.status().passing()).isTrue();
        assertThat(s.status().consecutiveFailures()).isEqualTo(1);
        assertThat(s.record(BAD, T0.plusSeconds(4))).isEqualTo(new ProbeState.Outcome(true, false));
        assertThat(s.status()).isEqualTo(new ProbeStatus(Type.Readiness, false, 2, BAD.message(), T0.plusSeconds(4)));
        // Still failing: no new transition, and readiness never gives up.
        assertThat(s.record(BAD, T0.plusSeconds(5))).isEqualTo(new ProbeState.Outcome(false, false));
        assertThat(s.status().since()).isEqualTo(T0.plusSeconds(4));
    }

    @Test
    void aSuccessInBetweenResetsTheFailureCount() {
        ProbeState s = new ProbeState(Type.Liveness, spec(3, 1), null, T0);
        s.record(BAD, T0);
        s.record(BAD, T0);
        s.record(OK, T0);
        s.record(BAD, T0);
        assertThat(s.record(BAD, T0)).isEqualTo(new ProbeState.Outcome(false, false));
        assertThat(s.passing()).isTrue();
        assertThat(s.record(BAD, T0)).isEqualTo(new ProbeState.Outcome(true, true));
    }

    @Test
    void livenessStartsPassingAndGivesUpAtItsFailureThreshold() {
        ProbeState s = new ProbeState(Type.Liveness, spec(1, 1), null, T0);
        assertThat(s.passing()).isTrue();
        ProbeState.Outcome o = s.record(BAD, T0.plusSeconds(1));
        assertThat(o.gaveUp()).isTrue();
        assertThat(o.flipped()).isTrue();
    }

    @Test
    void aFailedLivenessProbeStaysVisibleOnTheNextProcessUntilItPasses() {
        ProbeStatus failed = new ProbeStatus(Type.Liveness, false, 3, BAD.message(), T0);
        ProbeState next = new ProbeState(Type.Liveness, spec(3, 1), failed, T0.plusSeconds(10));
        assertThat(next.status()).isEqualTo(new ProbeStatus(Type.Liveness, false, 0, BAD.message(), T0));
        // The previous process's failures do not count against the new one.
        assertThat(next.record(BAD, T0.plusSeconds(11)).gaveUp()).isFalse();
        assertThat(next.record(OK, T0.plusSeconds(12))).isEqualTo(new ProbeState.Outcome(true, false));

        // Readiness and startup always start over.
        ProbeStatus ready = new ProbeStatus(Type.Readiness, true, 0, OK.message(), T0);
        assertThat(new ProbeState(Type.Readiness, spec(3, 1), ready, T0).passing()).isFalse();
    }

    @Test
    void startupGivesUpWithoutEverPassing() {
        ProbeState s = new ProbeState(Type.Startup, spec(2, 1), null, T0);
        assertThat(s.record(BAD, T0)).isEqualTo(new ProbeState.Outcome(false, false));
        assertThat(s.record(BAD, T0)).isEqualTo(new ProbeState.Outcome(false, true));
        ProbeState passes = new ProbeState(Type.Startup, spec(2, 1), null, T0);
        assertThat(passes.record(OK, T0)).isEqualTo(new ProbeState.Outcome(true, false));
    }
}
