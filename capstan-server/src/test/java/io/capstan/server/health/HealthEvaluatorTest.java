package io.capstan.server.health;

import static io.capstan.server.health.HealthFixture.CLUSTER;
import static io.capstan.server.health.HealthFixture.PARTITION_ENTITY;
import static io.capstan.server.health.HealthFixture.SERVICE;
import static io.capstan.server.health.HealthFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.cluster.DeployedServicePackage.ActivationState;
import io.capstan.model.health.ApplicationHealthPolicy;
import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import io.capstan.model.health.HealthState;
import io.capstan.state.ClusterCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthEvaluatorTest {

    private static final ApplicationHealthPolicy HALF_OF_REPLICAS = new ApplicationHealthPolicy(false, 0, 0, 0, 50);
    private static final HealthPolicyOverrides OVERRIDE_HALF_OF_REPLICAS =
            new HealthPolicyOverrides(null, null, null, null, null, 50, null);
    private static final HealthPolicyOverrides WARNING_AS_ERROR =
            new HealthPolicyOverrides(true, null, null, null, null, null, null);

    private static HealthReport userReport(HealthEntity entity, HealthState state, Duration ttl, boolean remove) {
        return new HealthReport(entity, "Watchdog", "Disk", state, "disk at 91%", ttl, remove, 1, T0);
    }

    @Test
    void aHealthyClusterIsOkWithItsChildrenCounted() {
        HealthFixture f = new HealthFixture();
        EntityHealth cluster = f.health(CLUSTER);
        assertThat(cluster.aggregatedHealthState()).isEqualTo(HealthState.Ok);
        assertThat(cluster.unhealthyEvaluations()).isEmpty();
        assertThat(cluster.children()).containsExactly(new ChildrenHealth("Nodes", 3, 3, 0, 0),
                new ChildrenHealth("Applications", 1, 1, 0, 0));
        assertThat(cluster.clusterHealthPolicy()).isEqualTo(io.capstan.model.health.ClusterHealthPolicy.DEFAULT);
        EntityHealth partition = f.health(PARTITION_ENTITY);
        assertThat(partition.reports()).singleElement().satisfies(r -> {
            assertThat(r.sourceId() + "/" + r.property()).isEqualTo("System.FM/State");
            assertThat(r.description()).isEqualTo("3 of 3 replicas ready");
        });
        assertThat(partition.children()).containsExactly(new ChildrenHealth("Replicas", 3, 3, 0, 0));
        assertThat(f.health(new HealthEntity.Application("Shop")).children()).containsExactly(
                new ChildrenHealth("Services", 1, 1, 0, 0), new ChildrenHealth("DeployedApplications", 3, 3, 0, 0));
    }

    @Test
    void oneReplicaOfThreeInErrorMakesTheServiceErrorUnderTheDefaultPolicy() {
        HealthFixture f = new HealthFixture();
        f.nodeDown("N2");
        EntityHealth service = f.health(SERVICE);
        assertThat(service.aggregatedHealthState()).isEqualTo(HealthState.Error);
        assertThat(HealthFixture.tree(service.unhealthyEvaluations())).containsExactly(
                "Error Partitions: 1 of 1 (100%) unhealthy, max allowed 0%",
                "  Error " + PARTITION_ENTITY.text(),
                "    Error Replicas: 1 of 3 (33%) unhealthy, max allowed 0%",
                "      Error " + f.replicaEntity("N2").text(),
                "        Error System.RA/State: Down: node N2 is down (node stopped heartbeating at "
                        + T0.plusSeconds(20) + ": missed heartbeats for 15s)");
        assertThat(service.applicationHealthPolicy()).isEqualTo(ApplicationHealthPolicy.DEFAULT);
    }

    @Test
    void theManifestsPolicyTolerantOfHalfTheReplicasMakesItAWarning() {
        HealthFixture f = new HealthFixture(HALF_OF_REPLICAS);
        f.nodeDown("N2");
        EntityHealth service = f.health(SERVICE);
        assertThat(service.aggregatedHealthState()).isEqualTo(HealthState.Warning);
        assertThat(service.applicationHealthPolicy()).isEqualTo(HALF_OF_REPLICAS);
        assertThat(HealthFixture.tree(service.unhealthyEvaluations())).startsWith(
                "Warning Partitions: 1 of 1 in Warning",
                "  Warning " + PARTITION_ENTITY.text(),
                "    Warning System.FM/State: 2 of 3 replicas ready",
                "    Warning Replicas: 1 of 3 (33%) unhealthy, max allowed 50%",
                "      Error " + f.replicaEntity("N2").text());
    }

    @Test
    void aQueryOverrideTolerantOfHalfTheReplicasMakesItAWarningToo() {
        HealthFixture f = new HealthFixture();
        f.nodeDown("N2");
        EntityHealth service = f.health(SERVICE, OVERRIDE_HALF_OF_REPLICAS, Duration.ofMinutes(1));
        assertThat(service.aggregatedHealthState()).isEqualTo(HealthState.Warning);
        assertThat(service.applicationHealthPolicy().maxPercentUnhealthyReplicasPerPartition()).isEqualTo(50);
        assertThat(service.applicationHealthPolicy().maxPercentUnhealthyServices()).isZero();
        // An override replaces one field; the manifest's other fields stay.
        HealthFixture tolerant = new HealthFixture(new ApplicationHealthPolicy(false, 0, 0, 0, 50));
        tolerant.nodeDown("N2");
        EntityHealth strict = tolerant.health(SERVICE, new HealthPolicyOverrides(null, null, null, null, null, 0, null),
                Duration.ofMinutes(1));
        assertThat(strict.aggregatedHealthState()).isEqualTo(HealthState.Error);
    }

    @Test
    void considerWarningAsErrorTurnsWarningsIntoErrors() {
        HealthFixture f = new HealthFixture(HALF_OF_REPLICAS);
        f.nodeDown("N2");
        assertThat(f.health(SERVICE).aggregatedHealthState()).isEqualTo(HealthState.Warning);
        EntityHealth service = f.health(SERVICE, WARNING_AS_ERROR, Duration.ofMinutes(1));
        assertThat(service.aggregatedHealthState()).isEqualTo(HealthState.Error);
        assertThat(HealthFixture.tree(service.unhealthyEvaluations()).getFirst())
                .isEqualTo("Error Partitions: 1 of 1 (100%) unhealthy, max allowed 0%");

        HealthFixture clean = new HealthFixture();
        HealthEntity node = new HealthEntity.Node("N1");
        clean.apply(new ClusterCommand.ReportHealth(List.of(userReport(node, HealthState.Warning, null, false)), T0));
        assertThat(clean.health(CLUSTER).aggregatedHealthState()).isEqualTo(HealthState.Warning);
        EntityHealth strict = clean.health(node, WARNING_AS_ERROR, Duration.ofMinutes(1));
        assertThat(strict.aggregatedHealthState()).isEqualTo(HealthState.Error);
        assertThat(strict.reports()).filteredOn(r -> r.sourceId().equals("Watchdog")).singleElement().satisfies(r -> {
            assertThat(r.healthState()).isEqualTo(HealthState.Warning);
            assertThat(r.effectiveHealthState()).isEqualTo(HealthState.Error);
        });
        assertThat(HealthFixture.tree(strict.unhealthyEvaluations()))
                .containsExactly("Error Watchdog/Disk: disk at 91% (Warning counted as Error)");
        assertThat(clean.health(CLUSTER, WARNING_AS_ERROR, Duration.ofMinutes(1)).aggregatedHealthState())
                .isEqualTo(HealthState.Error);
    }

    @Test
    void anExpiredReportWithoutRemoveWhenExpiredCountsAsError() {
        HealthFixture f = new HealthFixture();
        HealthEntity node = new HealthEntity.Node("N1");
        f.apply(new ClusterCommand.ReportHealth(List.of(userReport(node, HealthState.Ok, Duration.ofSeconds(30), false)), T0));
        assertThat(f.health(node, HealthPolicyOverrides.NONE, Duration.ofSeconds(29)).aggregatedHealthState())
                .isEqualTo(HealthState.Ok);
        EntityHealth expired = f.health(node, HealthPolicyOverrides.NONE, Duration.ofSeconds(30));
        assertThat(expired.aggregatedHealthState()).isEqualTo(HealthState.Error);
        assertThat(expired.reports()).filteredOn(r -> r.sourceId().equals("Watchdog")).singleElement().satisfies(r -> {
            assertThat(r.expired()).isTrue();
            assertThat(r.healthState()).isEqualTo(HealthState.Ok);
            assertThat(r.effectiveHealthState()).isEqualTo(HealthState.Error);
            assertThat(r.expiresAt()).isEqualTo(T0.plusSeconds(30));
            assertThat(r.timeToLive()).isEqualTo("30s");
        });
        assertThat(HealthFixture.tree(expired.unhealthyEvaluations())).containsExactly("Error Watchdog/Disk: expired at "
                + T0.plusSeconds(30) + " (last reported Ok: disk at 91%); an expired report without removeWhenExpired counts as Error");
        assertThat(f.health(CLUSTER, HealthPolicyOverrides.NONE, Duration.ofSeconds(30)).aggregatedHealthState())
                .isEqualTo(HealthState.Error);
    }

    @Test
    void aReportWithRemoveWhenExpiredDisappearsWhenItExpires() {
        HealthFixture f = new HealthFixture();
        HealthEntity node = new HealthEntity.Node("N1");
        f.apply(new ClusterCommand.ReportHealth(List.of(userReport(node, HealthState.Error, Duration.ofSeconds(30), true)), T0));
        assertThat(f.health(node, HealthPolicyOverrides.NONE, Duration.ofSeconds(29)).aggregatedHealthState())
                .isEqualTo(HealthState.Error);
        // Expired but not yet removed by the leader: already gone for readers.
        EntityHealth expired = f.health(node, HealthPolicyOverrides.NONE, Duration.ofSeconds(30));
        assertThat(expired.aggregatedHealthState()).isEqualTo(HealthState.Ok);
        assertThat(expired.reports()).extracting(HealthReportView::sourceId).containsExactly("System.FM");

        f.apply(new ClusterCommand.ExpireHealthReports(T0.plusSeconds(30)));
        assertThat(f.snapshot().healthReports()).isEmpty();
        assertThat(f.health(node).reports()).extracting(HealthReportView::sourceId).containsExactly("System.FM");
    }

    @Test
    void aDownNodeIsAnErrorThatSaysWhenItStoppedHeartbeating() {
        HealthFixture f = new HealthFixture();
        f.nodeDown("N3");
        EntityHealth node = f.health(new HealthEntity.Node("N3"));
        assertThat(node.aggregatedHealthState()).isEqualTo(HealthState.Error);
        assertThat(node.reports()).singleElement().satisfies(r -> {
            assertThat(r.sourceId()).isEqualTo("System.FM");
            assertThat(r.property()).isEqualTo("State");
            assertThat(r.healthState()).isEqualTo(HealthState.Error);
            assertThat(r.description()).isEqualTo("node stopped heartbeating at " + T0.plusSeconds(20)
                    + ": missed heartbeats for 15s");
            assertThat(r.reportedAt()).isEqualTo(T0.plusSeconds(20));
        });
        EntityHealth cluster = f.health(CLUSTER);
        assertThat(cluster.children()).contains(new ChildrenHealth("Nodes", 3, 2, 0, 1));
        assertThat(HealthFixture.tree(cluster.unhealthyEvaluations())).contains(
                "Error Nodes: 1 of 3 (33%) unhealthy, max allowed 0%",
                "  Error node:N3",
                "    Error System.FM/State: node stopped heartbeating at " + T0.plusSeconds(20) + ": missed heartbeats for 15s");
        assertThat(f.health(CLUSTER, new HealthPolicyOverrides(null, 34, 100, null, null, null, null), Duration.ofMinutes(1))
                .aggregatedHealthState()).isEqualTo(HealthState.Warning);
    }

    @Test
    void aCrashLoopingCodePackageExplainsTheMoveWithItsStderr() {
        HealthFixture f = new HealthFixture();
        f.report("N2", ActivationState.Failed, HealthFixture.crashLooping(5, 3, "panic: cannot open /data/cart.db"));
        EntityHealth replica = f.health(f.replicaEntity("N2"));
        assertThat(replica.aggregatedHealthState()).isEqualTo(HealthState.Error);
        assertThat(replica.reports()).extracting(r -> r.sourceId() + "/" + r.property() + " " + r.healthState() + ": "
                + r.description()).containsExactly(
                "System.RA/State Error: Down: its activation on node N2 failed: code package Code exited 5 times in a row"
                        + " (last exit code 3); moved after 5 failures",
                "System.Hosting/CodePackage:Code Error: code package Code exited 5 times in a row, last exit code 3;"
                        + " stderr: panic: cannot open /data/cart.db");
        EntityHealth deployed = f.health(f.packageEntity("N2"));
        assertThat(deployed.aggregatedHealthState()).isEqualTo(HealthState.Error);
        assertThat(deployed.reports()).extracting(r -> r.property() + " " + r.healthState())
                .containsExactly("Activation Error", "CodePackage:Code Error");
        EntityHealth app = f.health(new HealthEntity.Application("Shop"));
        assertThat(app.children()).containsExactly(new ChildrenHealth("Services", 1, 0, 0, 1),
                new ChildrenHealth("DeployedApplications", 3, 2, 0, 1));
        assertThat(HealthFixture.tree(app.unhealthyEvaluations())).contains(
                "Error DeployedApplications: 1 of 3 (33%) unhealthy, max allowed 0%",
                "  Error deployed-app:N2/Shop",
                "    Error DeployedServicePackages: 1 of 1 (100%) unhealthy, max allowed 0%");
    }

    @Test
    void aSingleExitIsAWarningWhileTheCodePackageBacksOff() {
        HealthFixture f = new HealthFixture();
        f.report("N1", ActivationState.Failing, HealthFixture.crashLooping(1, 137, ""));
        EntityHealth replica = f.health(f.replicaEntity("N1"));
        assertThat(replica.aggregatedHealthState()).isEqualTo(HealthState.Warning);
        assertThat(replica.reports()).extracting(r -> r.sourceId() + "/" + r.property() + " " + r.healthState() + ": "
                + r.description()).containsExactly(
                "System.RA/State Warning: Primary, InBuild: code package Code is in backoff after exit code 137 (1 failure(s)"
                        + " in a row), next restart at " + T0.plusSeconds(60),
                "System.Hosting/CodePackage:Code Warning: code package Code exited with code 137; it is being restarted");
        // The Primary is not Ready: the partition cannot take writes.
        assertThat(f.health(PARTITION_ENTITY).reports()).singleElement()
                .satisfies(r -> assertThat(r.description()).isEqualTo("no Ready Primary (2 of 3 replicas ready)"));
    }

    @Test
    void aFailingReadinessProbeIsAWarningOnTheReplicaAndItsActivation() {
        HealthFixture f = new HealthFixture();
        f.report("N3", ActivationState.Active, HealthFixture.failingReadiness("GET /ready: HTTP 503"));
        EntityHealth replica = f.health(f.replicaEntity("N3"));
        assertThat(replica.aggregatedHealthState()).isEqualTo(HealthState.Warning);
        assertThat(replica.reports()).extracting(r -> r.sourceId() + "/" + r.property() + " " + r.healthState() + ": "
                + r.description()).containsExactly(
                "System.RA/State Warning: ActiveSecondary, InBuild: code package Code is failing its readiness probe:"
                        + " GET /ready: HTTP 503",
                "System.Probe/Liveness:Code Ok: HTTP 200",
                "System.Probe/Readiness:Code Warning: GET /ready: HTTP 503");
        assertThat(f.health(f.packageEntity("N3")).reports()).extracting(r -> r.property() + " " + r.healthState())
                .containsExactly("Activation Ok", "Liveness:Code Ok", "Readiness:Code Warning");
        assertThat(f.health(PARTITION_ENTITY).reports().getFirst().description()).isEqualTo("2 of 3 replicas ready");
    }

    @Test
    void aPlacementProblemIsAWarningOnTheService() {
        HealthFixture f = new HealthFixture();
        f.apply(new ClusterCommand.ApplyPlacement(f.state.index(), List.of(), List.of(), List.of(),
                Map.of(HealthFixture.CART, "partition 0a: needs 4 nodes, 3 are eligible"), T0));
        EntityHealth service = f.health(SERVICE);
        assertThat(service.aggregatedHealthState()).isEqualTo(HealthState.Warning);
        assertThat(service.reports()).singleElement().satisfies(r -> {
            assertThat(r.sourceId() + "/" + r.property()).isEqualTo("System.PLB/ServiceReplicaUnplacedHealth");
            assertThat(r.description()).isEqualTo("partition 0a: needs 4 nodes, 3 are eligible");
        });
        assertThat(HealthFixture.tree(service.unhealthyEvaluations())).containsExactly(
                "Warning System.PLB/ServiceReplicaUnplacedHealth: partition 0a: needs 4 nodes, 3 are eligible");
    }

    @Test
    void anErrorListsOnlyWhatExplainsTheError() {
        HealthFixture f = new HealthFixture();
        f.nodeDown("N2");
        f.apply(new ClusterCommand.ReportHealth(List.of(userReport(PARTITION_ENTITY, HealthState.Warning, null, false)), T0));
        EntityHealth partition = f.health(PARTITION_ENTITY);
        assertThat(partition.aggregatedHealthState()).isEqualTo(HealthState.Error);
        assertThat(partition.unhealthyEvaluations()).extracting(HealthEvaluation::kind).containsExactly("Replicas");
        assertThat(partition.reports()).extracting(HealthReportView::effectiveHealthState)
                .containsExactly(HealthState.Warning, HealthState.Warning);
    }

    @Test
    void anEntityTheClusterDoesNotHaveHasNoHealth() {
        HealthFixture f = new HealthFixture();
        HealthEvaluator evaluator = HealthEvaluator.forQuery(f.snapshot(), T0, HealthPolicyOverrides.NONE);
        assertThat(evaluator.evaluate(new HealthEntity.Node("N9"))).isEmpty();
        assertThat(evaluator.evaluate(new HealthEntity.Replica(HealthFixture.CART, HealthFixture.PARTITION, 99))).isEmpty();
        assertThat(evaluator.evaluate(new HealthEntity.DeployedApplication("N1", "Other"))).isEmpty();
        assertThat(evaluator.evaluate(new HealthEntity.DeployedApplication("N1", "Shop"))).isPresent();
    }
}
