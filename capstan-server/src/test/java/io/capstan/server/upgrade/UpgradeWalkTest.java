package io.capstan.server.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.ActivationMode;
import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import io.capstan.model.ServiceSpec;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.ApplicationVersion;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.health.ApplicationHealthPolicy;
import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import io.capstan.model.health.HealthState;
import io.capstan.model.manifest.ApplicationTypeManifest;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.ProcessSpec;
import io.capstan.model.manifest.ResourceRequest;
import io.capstan.model.manifest.RestartPolicy;
import io.capstan.model.manifest.ServicePackageManifest;
import io.capstan.model.manifest.ServiceTypeManifest;
import io.capstan.model.upgrade.FailureAction;
import io.capstan.model.upgrade.UpgradeMode;
import io.capstan.model.upgrade.UpgradePolicy;
import io.capstan.model.upgrade.UpgradeState;
import io.capstan.model.wire.NodeReport;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterCommand.UpgradeStep;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterState;
import io.capstan.state.CommandResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The upgrade walk decided from state and time alone, on a three-node state built by commands: application Shop
 * with the stateful service Cart (3 replicas, min 2, Primary on N1), nodes N1..N3 in UD1..UD3, ShopType 1.0.0 and 2.0.0.
 * Agents are played by committing the reports a real agent sends.
 */
class UpgradeWalkTest {

    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    private static final ServiceName CART = new ServiceName("Shop", "Cart");
    private static final ClusterCommand.NewService NEW_CART = new ClusterCommand.NewService(CART,
            ServiceSpec.stateful("CartType", 3, 2, null, ActivationMode.EXCLUSIVE_PROCESS), "CartPkg",
            UUID.fromString("00000000-0000-0000-0000-00000000000b"));
    private static final List<String> NODES = List.of("N1", "N2", "N3");
    private static final String V1 = new ApplicationVersion("1.0.0", Map.of()).revision();
    private static final String V2 = new ApplicationVersion("2.0.0", Map.of()).revision();

    private final ClusterState state = new ClusterState();
    private long index;

    UpgradeWalkTest() {
        for (String version : List.of("1.0.0", "2.0.0")) {
            var manifest = new ApplicationTypeManifest("ShopType", version, Map.of(),
                    List.of(new ServicePackageManifest("CartPkg", version,
                            List.of(new ServiceTypeManifest("CartType", ServiceKind.STATEFUL, "Code")),
                            List.of(new CodePackageManifest("Code", version, new ProcessSpec("./run.sh", null, null, null),
                                    ResourceRequest.NONE, null, new RestartPolicy(null, null, null, 5))),
                            List.of())),
                    List.of(), ApplicationHealthPolicy.DEFAULT);
            apply(new ClusterCommand.RegisterApplicationType(new ApplicationTypeRecord("ShopType", version, manifest,
                    (version.equals("1.0.0") ? "ab" : "cd").repeat(32), 1, T0), T0));
        }
        for (int i = 0; i < NODES.size(); i++) {
            apply(new ClusterCommand.RegisterNode(new NodeDescription(NODES.get(i), "127.0.0.1", "fd:/" + i, "UD" + (i + 1),
                    Map.of("cpu", 2.0), Map.of()), T0));
        }
        apply(new ClusterCommand.CreateApplication(new ApplicationRecord("Shop", "ShopType", "1.0.0", Map.of(), T0),
                List.of(), T0));
        apply(new ClusterCommand.CreateService(NEW_CART, T0));
        UUID partition = NEW_CART.partitions().get(0).id();
        apply(new ClusterCommand.ApplyPlacement(index, List.of(
                new ClusterCommand.NewReplica(CART, partition, "N1", ReplicaRole.Primary, "a1"),
                new ClusterCommand.NewReplica(CART, partition, "N2", ReplicaRole.ActiveSecondary, "a2"),
                new ClusterCommand.NewReplica(CART, partition, "N3", ReplicaRole.ActiveSecondary, "a3")),
                List.of(), List.of(), Map.of(), T0));
        NODES.forEach(n -> report(n, V1, true));
    }

    @Test
    void aDomainStartsWithItsPrimaryHandedOverThenWaitsForConvergenceAndStableHealth() {
        start(policy(UpgradeMode.Monitored, Duration.ofSeconds(30), Duration.ofSeconds(60)));
        assertThat(next(T0)).isEqualTo(new UpgradeStep.StartDomain("UD1"));
        step(next(T0), T0);
        assertThat(replicaOn("N1").role()).as("handed over before N1 restarts").isEqualTo(ReplicaRole.ActiveSecondary);
        assertThat(replicaOn("N2").role()).isEqualTo(ReplicaRole.Primary);

        UpgradeStep waiting = next(T0.plusSeconds(1));
        assertThat(waiting).isInstanceOfSatisfying(UpgradeStep.Await.class, w -> {
            assertThat(w.waitingFor().condition()).isEqualTo("Convergence");
            assertThat(w.waitingFor().detail()).contains("N1", "still runs " + V1, "not " + V2);
            assertThat(w.waitingFor().retryingSince()).isEqualTo(T0.plusSeconds(1));
        });
        step(waiting, T0.plusSeconds(1));
        assertThat(next(T0.plusSeconds(2))).as("nothing changed: nothing to commit").isNull();

        report("N1", V2, true);
        UpgradeStep healthy = next(T0.plusSeconds(5));
        assertThat(healthy).isInstanceOfSatisfying(UpgradeStep.Await.class,
                w -> assertThat(w.waitingFor().condition()).isEqualTo("HealthStable"));
        step(healthy, T0.plusSeconds(5));
        assertThat(next(T0.plusSeconds(20))).as("stable for 15s of 30s").isNull();
        assertThat(next(T0.plusSeconds(35))).isEqualTo(new UpgradeStep.CompleteDomain("UD1", "healthy for 30s"));
    }

    @Test
    void aDomainThatDoesNotConvergeWithinTheRetryTimeoutRollsBackToTheStart() {
        start(policy(UpgradeMode.Monitored, Duration.ofSeconds(30), Duration.ofSeconds(60)));
        step(next(T0), T0);
        step(next(T0), T0);
        report("N1", V2, false); // the new version never becomes Ready
        UpgradeStep stillFailing = next(T0.plusSeconds(59));
        assertThat(stillFailing).isInstanceOf(UpgradeStep.Await.class);
        step(stillFailing, T0.plusSeconds(59));

        UpgradeStep fail = next(T0.plusSeconds(61));
        assertThat(fail).isInstanceOfSatisfying(UpgradeStep.Fail.class, f -> assertThat(f.reason())
                .contains("domain UD1 did not converge within the health check retry timeout of 1m", "is InBuild"));
        step(fail, T0.plusSeconds(61));
        ApplicationRecord app = state.snapshot().applications().get("Shop");
        assertThat(app.upgrade().state()).isEqualTo(UpgradeState.RollingBackInProgress);
        assertThat(app.versionIn("UD1").typeVersion()).as("the domain in progress goes back at once").isEqualTo("1.0.0");

        assertThat(next(T0.plusSeconds(62))).isInstanceOf(UpgradeStep.Await.class); // N1 still reports 2.0.0
        report("N1", V1, true);
        assertThat(next(T0.plusSeconds(63))).isEqualTo(new UpgradeStep.CompleteRollBackDomain("UD1"));
        step(next(T0.plusSeconds(63)), T0.plusSeconds(63));
        assertThat(next(T0.plusSeconds(63))).isEqualTo(new UpgradeStep.Finish());
        step(next(T0.plusSeconds(63)), T0.plusSeconds(63));
        app = state.snapshot().applications().get("Shop");
        assertThat(app.upgrade().state()).isEqualTo(UpgradeState.RollingBackCompleted);
        assertThat(app.typeVersion()).isEqualTo("1.0.0");
        assertThat(app.versionIn("UD1").typeVersion()).isEqualTo("1.0.0");
    }

    @Test
    void aWatchdogsErrorReportFailsTheHealthCheckWithTheEvaluationThatBlockedIt() {
        start(policy(UpgradeMode.Monitored, Duration.ofSeconds(10), Duration.ofSeconds(60)));
        step(next(T0), T0);
        report("N1", V2, true);
        apply(new ClusterCommand.ReportHealth(List.of(new HealthReport(new HealthEntity.Application("Shop"), "Watchdog",
                "Orders", HealthState.Error, "orders failing since the upgrade", null, false, 1, T0.plusSeconds(2))),
                T0.plusSeconds(2)));

        UpgradeStep unhealthy = next(T0.plusSeconds(3));
        assertThat(unhealthy).isInstanceOfSatisfying(UpgradeStep.Await.class, w -> {
            assertThat(w.waitingFor().condition()).isEqualTo("HealthCheck");
            assertThat(w.healthEvaluations()).anySatisfy(e -> assertThat(e).contains("orders failing since the upgrade"));
        });
        step(unhealthy, T0.plusSeconds(3));
        assertThat(next(T0.plusSeconds(62))).as("59s since the first failed check").isNull();
        assertThat(next(T0.plusSeconds(64))).isInstanceOfSatisfying(UpgradeStep.Fail.class, f -> {
            assertThat(f.reason()).contains("domain UD1 is not healthy within the health check retry timeout of 1m");
            assertThat(f.healthEvaluations()).anySatisfy(e -> assertThat(e).contains("Watchdog"));
        });
    }

    @Test
    void aDomainWaitsWhileItWouldLeaveAPartitionBelowMinReplicaSetSize() {
        report("N2", V1, false);
        start(policy(UpgradeMode.Monitored, Duration.ofSeconds(30), Duration.ofSeconds(60)));
        UpgradeStep unsafe = next(T0);
        assertThat(unsafe).isInstanceOfSatisfying(UpgradeStep.Await.class, w -> {
            assertThat(w.waitingFor().condition()).isEqualTo("SafetyCheck");
            assertThat(w.waitingFor().detail()).contains("would keep 1 Ready replica(s) outside domain UD1",
                    "minReplicaSetSize is 2");
        });
        step(unsafe, T0);
        report("N2", V1, true);
        assertThat(next(T0.plusSeconds(5))).isEqualTo(new UpgradeStep.StartDomain("UD1"));
    }

    @Test
    void unmonitoredManualPausesAfterEachDomainAndAStaleStepIsRefused() {
        start(policy(UpgradeMode.UnmonitoredManual, Duration.ZERO, Duration.ofSeconds(60)));
        long revision = state.snapshot().applications().get("Shop").upgrade().revision();
        step(next(T0), T0);
        report("N1", V2, true);
        step(next(T0.plusSeconds(1)), T0.plusSeconds(1));
        ApplicationRecord app = state.snapshot().applications().get("Shop");
        assertThat(app.upgrade().state()).isEqualTo(UpgradeState.RollingForwardPending);
        assertThat(app.upgrade().waitingFor().condition()).isEqualTo("Resume");
        assertThat(UpgradeWalk.next(state.snapshot(), app, T0.plusSeconds(60))).as("only an operator moves it").isNull();

        CommandResult stale = state.apply(++index, new ClusterCommand.StepUpgrade("Shop", revision,
                new UpgradeStep.StartDomain("UD2"), T0.plusSeconds(2)));
        assertThat(stale.applied()).isFalse();
        assertThat(stale.message()).contains("changed (revision");

        apply(new ClusterCommand.ResumeUpgrade("Shop", T0.plusSeconds(3)));
        assertThat(next(T0.plusSeconds(3))).isEqualTo(new UpgradeStep.StartDomain("UD2"));
    }

    @Test
    void failureActionManualStopsAsFailedAndResumeRetriesTheDomain() {
        apply(new ClusterCommand.StartUpgrade("Shop", "2.0.0", Map.of(), new UpgradePolicy(UpgradeMode.Monitored,
                FailureAction.Manual, Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(30), null, null, null),
                List.of("UD1", "UD2", "UD3"), false, T0));
        step(next(T0), T0);
        report("N1", V2, false);
        step(next(T0.plusSeconds(1)), T0.plusSeconds(1));
        step(next(T0.plusSeconds(40)), T0.plusSeconds(40));
        ApplicationRecord app = state.snapshot().applications().get("Shop");
        assertThat(app.upgrade().state()).isEqualTo(UpgradeState.Failed);
        assertThat(app.versionIn("UD1").typeVersion()).as("nothing rolls back by itself").isEqualTo("2.0.0");
        assertThat(UpgradeWalk.next(state.snapshot(), app, T0.plusSeconds(100))).isNull();

        report("N1", V2, true); // the operator fixed what was wrong on N1
        apply(new ClusterCommand.ResumeUpgrade("Shop", T0.plusSeconds(101)));
        UpgradeStep retried = next(T0.plusSeconds(101));
        assertThat(retried).isInstanceOfSatisfying(UpgradeStep.Await.class,
                w -> assertThat(w.waitingFor().condition()).isEqualTo("HealthStable"));
    }

    @Test
    void aServiceCreatedDuringAnUpgradeMustExistInTheTargetVersionToo() {
        for (String version : List.of("1.0.0", "2.0.0")) {
            // 1.0.0 registers AuditType beside CartType; 2.0.0 drops it.
            List<ServiceTypeManifest> types = version.equals("1.0.0")
                    ? List.of(new ServiceTypeManifest("CartType", ServiceKind.STATEFUL, "Code"),
                            new ServiceTypeManifest("AuditType", ServiceKind.STATELESS, "Code"))
                    : List.of(new ServiceTypeManifest("CartType", ServiceKind.STATEFUL, "Code"));
            var manifest = new ApplicationTypeManifest("LedgerType", version, Map.of(), List.of(new ServicePackageManifest(
                    "CartPkg", version, types, List.of(new CodePackageManifest("Code", version, new ProcessSpec("./run.sh", null,
                            null, null), ResourceRequest.NONE, null, null)), List.of())), List.of(), ApplicationHealthPolicy.DEFAULT);
            apply(new ClusterCommand.RegisterApplicationType(new ApplicationTypeRecord("LedgerType", version, manifest,
                    (version.equals("1.0.0") ? "12" : "34").repeat(32), 1, T0), T0));
        }
        apply(new ClusterCommand.CreateApplication(new ApplicationRecord("Ledger", "LedgerType", "1.0.0", Map.of(), T0),
                List.of(), T0));
        apply(new ClusterCommand.StartUpgrade("Ledger", "2.0.0", Map.of(), UpgradePolicy.DEFAULT, List.of("UD1"), false, T0));

        CommandResult refused = state.apply(++index, new ClusterCommand.CreateService(new ClusterCommand.NewService(
                new ServiceName("Ledger", "Audit"), ServiceSpec.stateless("AuditType", 1, null, ActivationMode.SHARED_PROCESS),
                "CartPkg", UUID.randomUUID()), T0));
        assertThat(refused.applied()).isFalse();
        assertThat(refused.message()).contains("upgrading to 2.0.0", "no service type 'AuditType'", "after the upgrade");
    }

    private static UpgradePolicy policy(UpgradeMode mode, Duration stable, Duration retry) {
        return new UpgradePolicy(mode, FailureAction.Rollback, Duration.ZERO, stable, retry, null, null, null);
    }

    private void start(UpgradePolicy policy) {
        apply(new ClusterCommand.StartUpgrade("Shop", "2.0.0", Map.of(), policy, List.of("UD1", "UD2", "UD3"), false, T0));
    }

    private UpgradeStep next(Instant now) {
        ClusterSnapshot s = state.snapshot();
        return UpgradeWalk.next(s, s.applications().get("Shop"), now);
    }

    private void step(UpgradeStep step, Instant at) {
        long revision = state.snapshot().applications().get("Shop").upgrade().revision();
        apply(new ClusterCommand.StepUpgrade("Shop", revision, step, at));
    }

    private void apply(ClusterCommand command) {
        CommandResult r = state.apply(++index, command);
        assertThat(r.applied()).as("%s: %s", command.getClass().getSimpleName(), r.message()).isTrue();
    }

    private ReplicaRecord replicaOn(String node) {
        return state.snapshot().replicas().values().stream().filter(r -> r.node().equals(node)).findFirst().orElseThrow();
    }

    /** What node {@code n}'s agent reports: its Cart activation on {@code revision}, its code package ready or not. */
    private void report(String n, String revision, boolean ready) {
        ReplicaRecord r = replicaOn(n);
        CodePackageStatus code = new CodePackageStatus("Code", CodePackageStatus.State.Running, 42L, T0, 0, null, null, null,
                ready, 0, null, List.of(), null);
        apply(new ClusterCommand.ReportNode(new NodeReport(n, index, List.of(new DeployedServicePackage(n, "Shop", "CartPkg",
                "1.0.0", r.activationId(), DeployedServicePackage.ActivationState.Active, Map.of(), List.of(code),
                List.of(r.id()), revision.substring(0, 5), Map.of(), Map.of(), revision))), T0));
    }
}
