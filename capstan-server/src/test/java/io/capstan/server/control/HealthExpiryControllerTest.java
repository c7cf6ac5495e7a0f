package io.capstan.server.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import io.capstan.model.health.HealthState;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthExpiryControllerTest {

    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    private static ClusterState withReports(HealthReport... reports) {
        ClusterState state = new ClusterState();
        state.apply(1, new ClusterCommand.RegisterNode(new NodeDescription("N1", "127.0.0.1", "fd:/r1", "UD0", Map.of(),
                Map.of()), T0));
        assertThat(state.apply(2, new ClusterCommand.ReportHealth(List.of(reports), T0)).applied()).isTrue();
        return state;
    }

    private static HealthReport report(String property, Duration ttl, boolean remove) {
        return new HealthReport(new HealthEntity.Node("N1"), "Watchdog", property, HealthState.Ok, "", ttl, remove, 1, T0);
    }

    @Test
    void expiresOnlyOnceAReportWithRemoveWhenExpiredHasExpired() {
        ClusterState state = withReports(report("Removed", Duration.ofSeconds(30), true),
                report("Kept", Duration.ofSeconds(10), false), report("Forever", null, false));
        assertThat(HealthExpiryController.commandFor(state.snapshot(), T0.plusSeconds(29))).isNull();
        ClusterCommand.ExpireHealthReports command = HealthExpiryController.commandFor(state.snapshot(), T0.plusSeconds(30));
        assertThat(command).isEqualTo(new ClusterCommand.ExpireHealthReports(T0.plusSeconds(30)));
        state.apply(3, command);
        assertThat(state.snapshot().healthReportsOn(new HealthEntity.Node("N1"))).extracting(HealthReport::property)
                .containsExactly("Forever", "Kept");
        assertThat(HealthExpiryController.commandFor(state.snapshot(), T0.plusSeconds(3600))).isNull();
    }
}
