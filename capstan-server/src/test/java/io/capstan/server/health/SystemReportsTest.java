package io.capstan.server.health;

import static io.capstan.server.health.HealthFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.ActivationMode;
import io.capstan.model.ServiceName;
import io.capstan.model.ServiceSpec;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.DeployedServicePackage.ActivationState;
import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.cluster.NodeDisableIntent;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.ProbeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.health.HealthState;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SystemReportsTest {

    private static final ServiceName SVC = new ServiceName("Shop", "Cart");
    private static final UUID P = UUID.randomUUID();

    private static NodeRecord node(NodeStatus status, Map<String, String> properties) {
        return new NodeRecord(new NodeDescription("N1", "127.0.0.1", "fd:/r1", "UD0", Map.of(), properties), status, T0,
                "", status.isDisabled() ? NodeDisableIntent.Restart : null);
    }

    private static ReplicaRecord replica(long id, ReplicaRole role, ReplicaStatus status) {
        return new ReplicaRecord(id, SVC, P, "N" + id, role, status, "");
    }

    private static ServiceRecord service(ServiceSpec spec) {
        return new ServiceRecord(SVC, spec, "Pkg", List.of(), T0, null);
    }

    @Test
    void nodeStatesMapToHealth() {
        assertThat(SystemReports.nodeState(node(NodeStatus.Up, Map.of()), 0).healthState()).isEqualTo(HealthState.Ok);
        SystemReport disabling = SystemReports.nodeState(node(NodeStatus.Disabling, Map.of()), 4);
        assertThat(disabling.healthState()).isEqualTo(HealthState.Warning);
        assertThat(disabling.description()).isEqualTo("being disabled, intent Restart; replicas moving off (4 left)");
        SystemReport disabled = SystemReports.nodeState(node(NodeStatus.Disabled, Map.of()), 0);
        assertThat(disabled.healthState()).isEqualTo(HealthState.Ok);
        assertThat(disabled.description()).isEqualTo("Disabled since " + T0 + ", intent Restart");
    }

    @Test
    void theClusterApplicationsAndDeployedApplicationsSayWhatTheyHold() {
        SystemReport nodes = SystemReports.clusterNodes(List.of(node(NodeStatus.Up, Map.of()), node(NodeStatus.Up, Map.of()),
                node(NodeStatus.Down, Map.of()), node(NodeStatus.Disabled, Map.of())));
        assertThat(nodes.description()).isEqualTo("2 of 4 node(s) Up (1 Down, 1 Disabled)");
        assertThat(nodes.healthState()).as("each node reports its own trouble").isEqualTo(HealthState.Ok);
        assertThat(SystemReports.applicationState(new ApplicationRecord("App", "AppType", "1.0.0", Map.of(), T0)).description())
                .isEqualTo("created " + T0 + " from AppType 1.0.0");
        DeployedServicePackage active = new DeployedServicePackage("N1", "App", "Pkg", "1", "", ActivationState.Active,
                Map.of(), List.of(), List.of());
        DeployedServicePackage failed = new DeployedServicePackage("N1", "App", "Pkg", "1", "a1", ActivationState.Failed,
                Map.of(), List.of(), List.of());
        assertThat(SystemReports.deployedApplication(List.of(active, failed, active)).description())
                .isEqualTo("3 service package(s) deployed: 2 Active, 1 Failed");
    }

    @Test
    void unenforcedResourceLimitsAreAWarning() {
        assertThat(SystemReports.resourceLimits(node(NodeStatus.Up, Map.of()))).isEmpty();
        assertThat(SystemReports.resourceLimits(node(NodeStatus.Up, Map.of("capstan.limitsEnforced", "true"))))
                .hasValueSatisfying(r -> assertThat(r.healthState()).isEqualTo(HealthState.Ok));
        assertThat(SystemReports.resourceLimits(node(NodeStatus.Up, Map.of("capstan.limitsEnforced", "false",
                "capstan.limitsProblem", "cgroup v2 is mounted read-only")))).hasValueSatisfying(r -> {
                    assertThat(r.sourceId() + "/" + r.property()).isEqualTo("System.Hosting/ResourceLimits");
                    assertThat(r.healthState()).isEqualTo(HealthState.Warning);
                    assertThat(r.description()).startsWith(
                            "cgroup limits are not enforced on this node: cgroup v2 is mounted read-only");
                });
    }

    @Test
    void aStatefulPartitionBelowItsMinimumOrWithoutPrimaryIsAnError() {
        ServiceRecord svc = service(ServiceSpec.stateful("T", 3, 2, null, ActivationMode.SHARED_PROCESS));
        SystemReport belowMin = SystemReports.partitionState(svc, 3, List.of(replica(1, ReplicaRole.Primary, ReplicaStatus.Ready),
                replica(2, ReplicaRole.ActiveSecondary, ReplicaStatus.Down)));
        assertThat(belowMin.healthState()).isEqualTo(HealthState.Error);
        assertThat(belowMin.description()).isEqualTo("1 of 3 replicas ready, fewer than the minimum replica set size 2");
        SystemReport noPrimary = SystemReports.partitionState(svc, 3, List.of(replica(1, ReplicaRole.Primary, ReplicaStatus.InBuild),
                replica(2, ReplicaRole.ActiveSecondary, ReplicaStatus.Ready), replica(3, ReplicaRole.ActiveSecondary, ReplicaStatus.Ready)));
        assertThat(noPrimary.healthState()).isEqualTo(HealthState.Error);
        assertThat(noPrimary.description()).isEqualTo("no Ready Primary (2 of 3 replicas ready)");
    }

    @Test
    void aStatelessPartitionShortOfInstancesIsAWarning() {
        ServiceRecord svc = service(ServiceSpec.stateless("T", 3, null, ActivationMode.SHARED_PROCESS));
        SystemReport r = SystemReports.partitionState(svc, 3, List.of(replica(1, ReplicaRole.None, ReplicaStatus.Ready)));
        assertThat(r.healthState()).isEqualTo(HealthState.Warning);
        assertThat(r.description()).isEqualTo("1 of 3 instances ready");
    }

    @Test
    void failingLivenessAndStartupProbesAreErrorsReadinessAWarning() {
        assertThat(SystemReports.probe("Web", new ProbeStatus(ProbeStatus.Type.Liveness, false, 3, "timed out after 1s", T0)))
                .isEqualTo(new SystemReport("System.Probe", "Liveness:Web", HealthState.Error, "timed out after 1s"));
        assertThat(SystemReports.probe("Web", new ProbeStatus(ProbeStatus.Type.Startup, false, 3, null, T0)).healthState())
                .isEqualTo(HealthState.Error);
        assertThat(SystemReports.probe("Web", new ProbeStatus(ProbeStatus.Type.Readiness, false, 1, "HTTP 503", T0)).healthState())
                .isEqualTo(HealthState.Warning);
        assertThat(SystemReports.probe("Web", new ProbeStatus(ProbeStatus.Type.Readiness, true, 0, "", T0)))
                .isEqualTo(new SystemReport("System.Probe", "Readiness:Web", HealthState.Ok, "passing"));
    }

    @Test
    void aLongStderrIsCutToItsEnd() {
        String stderr = "x".repeat(5000) + "the real reason";
        var cp = HealthFixture.crashLooping(3, 1, stderr);
        assertThat(SystemReports.codePackage(cp)).hasValueSatisfying(r -> {
            assertThat(r.description()).endsWith("the real reason").contains("stderr: …");
            assertThat(r.description().length()).isLessThan(SystemReports.MAX_STDERR + 200);
        });
        assertThat(SystemReports.codePackage(HealthFixture.running())).isEmpty();
    }
}
