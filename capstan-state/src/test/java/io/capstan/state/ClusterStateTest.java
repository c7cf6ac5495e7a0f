package io.capstan.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.ActivationMode;
import io.capstan.model.PartitionScheme;
import io.capstan.model.ServiceName;
import io.capstan.model.ServiceSpec;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.DeployedServicePackage.ActivationState;
import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.cluster.NodeDisableIntent;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.ProbeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import io.capstan.model.health.HealthState;
import io.capstan.model.manifest.ApplicationTypeManifest;
import io.capstan.model.manifest.ServicePackageManifest;
import io.capstan.model.wire.NodeReport;
import io.capstan.state.ClusterCommand.ApplyPlacement;
import io.capstan.state.ClusterCommand.NewReplica;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What the replicated state does with node liveness, drains, reports from agents and health reports. */
class ClusterStateTest {

    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final ServiceName SVC = new ServiceName("App", "Svc");
    private static final ClusterCommand.NewService NEW_SVC = new ClusterCommand.NewService(SVC, ServiceSpec.stateful("S", 2, 1,
            new PartitionScheme.Singleton(), ActivationMode.SHARED_PROCESS), "Pkg", UUID.fromString("00000000-0000-0000-0000-000000000001"));
    private static final UUID PARTITION = NEW_SVC.partitions().get(0).id();
    static final String DIGEST = "ab".repeat(32);

    private final ClusterState state = new ClusterState();
    private long index;

    private CommandResult apply(ClusterCommand c) {
        return state.apply(++index, c);
    }

    private ClusterSnapshot snap() {
        return state.snapshot();
    }

    @BeforeEach
    void aServiceWithTwoReplicasOnTwoOfThreeNodes() {
        for (String n : List.of("n1", "n2", "n3")) {
            apply(new ClusterCommand.RegisterNode(new NodeDescription(n, "127.0.0.1", "fd:/" + n, "UD0", Map.of(), Map.of()), T0));
        }
        var manifest = new ApplicationTypeManifest("T", "1", Map.of(),
                List.of(new ServicePackageManifest("Pkg", "1", List.of(new io.capstan.model.manifest.ServiceTypeManifest("S", io.capstan.model.ServiceKind.STATEFUL, "Code")), List.of(), List.of())), List.of(), null);
        apply(new ClusterCommand.RegisterApplicationType(new ApplicationTypeRecord("T", "1", manifest, DIGEST, 1, T0), T0));
        apply(new ClusterCommand.CreateApplication(new ApplicationRecord("App", "T", "1", Map.of(), T0), List.of(), T0));
        apply(new ClusterCommand.CreateService(NEW_SVC, T0));
        assertThat(apply(new ApplyPlacement(index, List.of(
                new NewReplica(SVC, PARTITION, "n1", ReplicaRole.Primary, ""),
                new NewReplica(SVC, PARTITION, "n2", ReplicaRole.ActiveSecondary, "")), List.of(), List.of(), Map.of(), T0))
                .applied()).isTrue();
    }

    private static CodePackageStatus running(boolean ready, List<ProbeStatus> probes) {
        return new CodePackageStatus("Code", CodePackageStatus.State.Running, 100L, T0, 0, null, null, null, ready, 0, null, probes, null);
    }

    private void report(String node, ActivationState activation, CodePackageStatus cp, Instant at) {
        List<Long> hosted = snap().replicasOn(node).stream().map(ReplicaRecord::id).toList();
        apply(new ClusterCommand.ReportNode(new NodeReport(node, index, List.of(new DeployedServicePackage(node, "App",
                "Pkg", "1", "", activation, Map.of(), List.of(cp), hosted))), at));
    }

    private ReplicaRecord replicaOn(String node) {
        return snap().replicasOn(node).get(0);
    }

    private List<String> eventKinds() {
        return snap().events().stream().map(ClusterEvent::kind).toList();
    }

    @Nested
    class ReplicaStatuses {
        @Test
        void aReplicaIsReadyOnlyWhenItsCodePackagesAreReady() {
            report("n1", ActivationState.Active, running(false, List.of()), T0);
            assertThat(replicaOn("n1").status()).isEqualTo(ReplicaStatus.InBuild);
            report("n1", ActivationState.Active, running(true, List.of()), T0);
            assertThat(replicaOn("n1").status()).isEqualTo(ReplicaStatus.Ready);
            report("n1", ActivationState.Active, running(false, List.of()), T0);
            assertThat(replicaOn("n1").status()).as("readiness lost").isEqualTo(ReplicaStatus.InBuild);
        }

        @Test
        void aFailedActivationMakesItsReplicasDown() {
            report("n1", ActivationState.Failed, running(false, List.of()), T0);
            assertThat(replicaOn("n1").status()).isEqualTo(ReplicaStatus.Down);
            assertThat(eventKinds()).contains("ReplicaDown");
        }

        @Test
        void probeTransitionsAndProcessStartsAreEvents() {
            ProbeStatus unchecked = new ProbeStatus(ProbeStatus.Type.Readiness, false, 0, "not checked yet", T0);
            report("n1", ActivationState.Active, running(false, List.of(unchecked)), T0);
            assertThat(eventKinds()).contains("CodePackageStarted").doesNotContain("ProbeFailed");
            ProbeStatus failing = new ProbeStatus(ProbeStatus.Type.Readiness, false, 3, "HTTP 503 from GET /ready", T0);
            report("n1", ActivationState.Active, running(false, List.of(failing)), T0);
            assertThat(eventKinds()).contains("ProbeFailed");
            report("n1", ActivationState.Active, running(true, List.of(new ProbeStatus(ProbeStatus.Type.Readiness, true, 0, "HTTP 200", T0))), T0);
            assertThat(eventKinds()).contains("ProbeRecovered");
        }
    }

    @Nested
    class NodeLiveness {
        @Test
        void aDownNodeMakesItsReplicasDownAndComesBackUp() {
            report("n1", ActivationState.Active, running(true, List.of()), T0);
            apply(new ClusterCommand.SetNodeStatus("n1", NodeStatus.Down, "no heartbeat for 3s", T0));
            assertThat(snap().nodes().get("n1").status()).isEqualTo(NodeStatus.Down);
            assertThat(snap().nodes().get("n1").reason()).isEqualTo("no heartbeat for 3s");
            assertThat(replicaOn("n1").status()).isEqualTo(ReplicaStatus.Down);

            apply(new ClusterCommand.SetNodeStatus("n1", NodeStatus.Up, "heartbeats resumed", T0));
            assertThat(snap().nodes().get("n1").status()).isEqualTo(NodeStatus.Up);
            assertThat(replicaOn("n1").status()).isEqualTo(ReplicaStatus.Ready);
            assertThat(eventKinds()).containsSubsequence("NodeDown", "ReplicaDown", "NodeUp", "ReplicaReady");
        }

        @Test
        void onlyUpAndDownCanBeSetFromHeartbeats() {
            CommandResult r = apply(new ClusterCommand.SetNodeStatus("n1", NodeStatus.Disabled, "", T0));
            assertThat(r.applied()).isFalse();
            assertThat(r.message()).contains("capstan node disable");
        }
    }

    @Nested
    class Drain {
        @Test
        void aDisabledNodeIsDisablingUntilItsReplicasAreGoneThenDisabled() {
            apply(new ClusterCommand.DisableNode("n1", NodeDisableIntent.Restart, T0));
            assertThat(snap().nodes().get("n1").status()).isEqualTo(NodeStatus.Disabling);
            assertThat(snap().nodes().get("n1").disableIntent()).isEqualTo(NodeDisableIntent.Restart);

            long onN1 = replicaOn("n1").id();
            apply(new ApplyPlacement(index, List.of(new NewReplica(SVC, PARTITION, "n3", ReplicaRole.ActiveSecondary, "")),
                    List.of(new ClusterCommand.Removal(onN1, "node 'n1' is being disabled")), List.of(), Map.of(), T0));
            assertThat(snap().nodes().get("n1").status()).isEqualTo(NodeStatus.Disabled);
            assertThat(eventKinds()).contains("NodeDisabling", "ReplicaMoved", "NodeDisabled");
            assertThat(snap().events()).filteredOn(e -> e.kind().equals("ReplicaMoved"))
                    .singleElement().satisfies(e -> assertThat(e.message()).contains("from n1 to n3"));
        }

        @Test
        void anEmptyNodeIsDisabledAtOnceAndNewReplicasAreNotPlacedOnIt() {
            apply(new ClusterCommand.DisableNode("n3", NodeDisableIntent.Remove, T0));
            assertThat(snap().nodes().get("n3").status()).isEqualTo(NodeStatus.Disabled);
            apply(new ApplyPlacement(index, List.of(new NewReplica(SVC, PARTITION, "n3", ReplicaRole.ActiveSecondary, "")),
                    List.of(), List.of(), Map.of(), T0));
            assertThat(snap().replicasOn("n3")).isEmpty();
        }

        @Test
        void aDisabledNodeThatGoesDownAndReturnsIsStillDisabled() {
            apply(new ClusterCommand.DisableNode("n3", NodeDisableIntent.Restart, T0));
            apply(new ClusterCommand.SetNodeStatus("n3", NodeStatus.Down, "no heartbeat", T0));
            apply(new ClusterCommand.RegisterNode(new NodeDescription("n3", "127.0.0.1", "fd:/n3", "UD0", Map.of(), Map.of()), T0));
            assertThat(snap().nodes().get("n3").status()).isEqualTo(NodeStatus.Disabled);

            apply(new ClusterCommand.EnableNode("n3", T0));
            assertThat(snap().nodes().get("n3").status()).isEqualTo(NodeStatus.Up);
            assertThat(snap().nodes().get("n3").disableIntent()).isNull();
        }
    }

    @Nested
    class StoredHealthReports {
        private HealthReport report(HealthEntity entity, String source, HealthState s, long seq, Duration ttl, boolean remove) {
            return new HealthReport(entity, source, "Disk", s, "disk at 91%", ttl, remove, seq, T0);
        }

        @Test
        void reportsAreStoredAndALowerSequenceNumberIsRejected() {
            HealthEntity node = new HealthEntity.Node("n1");
            assertThat(apply(new ClusterCommand.ReportHealth(List.of(report(node, "Watchdog", HealthState.Warning, 5, null, false)), T0))
                    .applied()).isTrue();
            CommandResult stale = apply(new ClusterCommand.ReportHealth(List.of(report(node, "Watchdog", HealthState.Ok, 4, null, false)), T0));
            assertThat(stale.applied()).isFalse();
            assertThat(stale.code()).isEqualTo(Rejection.Code.CONFLICT);
            assertThat(stale.message()).contains("sequence number 5", "send a higher sequence number");
            assertThat(snap().healthReportsOn(node)).singleElement()
                    .satisfies(r -> assertThat(r.healthState()).isEqualTo(HealthState.Warning));
        }

        @Test
        void systemSourcesAndMissingEntitiesAreRejectedAndABatchIsAllOrNothing() {
            CommandResult system = apply(new ClusterCommand.ReportHealth(List.of(
                    report(new HealthEntity.Node("n1"), "System.FM", HealthState.Error, 1, null, false)), T0));
            assertThat(system.code()).isEqualTo(Rejection.Code.INVALID);
            assertThat(system.message()).contains("reserved");

            CommandResult missing = apply(new ClusterCommand.ReportHealth(List.of(
                    report(new HealthEntity.Node("n1"), "Watchdog", HealthState.Error, 1, null, false),
                    report(new HealthEntity.Application("Nope"), "Watchdog", HealthState.Error, 1, null, false)), T0));
            assertThat(missing.code()).isEqualTo(Rejection.Code.NOT_FOUND);
            assertThat(snap().healthReports()).isEmpty();
        }

        @Test
        void expiredReportsThatAskToBeRemovedAreDroppedOthersStay() {
            HealthEntity app = new HealthEntity.Application("App");
            apply(new ClusterCommand.ReportHealth(List.of(report(app, "A", HealthState.Ok, 1, Duration.ofSeconds(10), true),
                    report(app, "B", HealthState.Ok, 1, Duration.ofSeconds(10), false)), T0));
            apply(new ClusterCommand.ExpireHealthReports(T0.plusSeconds(5)));
            assertThat(snap().healthReportsOn(app)).hasSize(2);
            apply(new ClusterCommand.ExpireHealthReports(T0.plusSeconds(10)));
            assertThat(snap().healthReportsOn(app)).extracting(HealthReport::sourceId).containsExactly("B");
        }

        @Test
        void reportsOnARemovedReplicaOrDeletedServiceAreForgotten() {
            ReplicaRecord r = replicaOn("n2");
            HealthEntity replica = new HealthEntity.Replica(SVC, PARTITION, r.id());
            HealthEntity service = new HealthEntity.Service(SVC);
            apply(new ClusterCommand.ReportHealth(List.of(report(replica, "W", HealthState.Error, 1, null, false),
                    report(service, "W", HealthState.Error, 1, null, false)), T0));
            apply(new ApplyPlacement(index, List.of(), List.of(new ClusterCommand.Removal(r.id(), "scale down")),
                    List.of(), Map.of(), T0));
            assertThat(snap().healthReportsOn(replica)).isEmpty();
            assertThat(snap().healthReportsOn(service)).hasSize(1);
            apply(new ClusterCommand.DeleteService(SVC, T0));
            assertThat(snap().healthReports()).isEmpty();
        }

        @Test
        void reportsSurviveASnapshotRoundTrip() {
            HealthEntity node = new HealthEntity.Node("n2");
            apply(new ClusterCommand.ReportHealth(List.of(report(node, "W", HealthState.Warning, 7, Duration.ofMinutes(1), false)), T0));
            ClusterState restored = ClusterState.restore(state.persisted());
            assertThat(restored.snapshot().healthReports()).isEqualTo(snap().healthReports());
        }
    }

    @Test
    void healthEntitiesParseTheirOwnText() {
        for (HealthEntity e : List.of(new HealthEntity.Cluster(), new HealthEntity.Node("n1"), new HealthEntity.Application("App"),
                new HealthEntity.Service(SVC), new HealthEntity.Partition(SVC, PARTITION), new HealthEntity.Replica(SVC, PARTITION, 7),
                new HealthEntity.DeployedApplication("n1", "App"), new HealthEntity.DeployedServicePackage("n1", "App", "Pkg", ""),
                new HealthEntity.DeployedServicePackage("n1", "App", "Pkg", "a1b2c3"))) {
            assertThat(HealthEntity.parse(e.text())).isEqualTo(e);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HealthEntity.parse("replica:App/Svc/not-a-uuid/1"))
                .hasMessageContaining("replica:APP/SVC/PARTITION-ID/REPLICA-ID");
    }
}
