package io.capstan.server.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.ActivationMode;
import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import io.capstan.model.ServiceSpec;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.cluster.ProbeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.health.ApplicationHealthPolicy;
import io.capstan.model.health.HealthEntity;
import io.capstan.model.manifest.ApplicationTypeManifest;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.ProcessSpec;
import io.capstan.model.manifest.ResourceRequest;
import io.capstan.model.manifest.RestartPolicy;
import io.capstan.model.manifest.ServicePackageManifest;
import io.capstan.model.manifest.ServiceTypeManifest;
import io.capstan.model.wire.NodeReport;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterState;
import io.capstan.state.CommandResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A three-node cluster built by applying commands to a {@link ClusterState}: application Shop (type
 * ShopType, whose manifest carries the given health policy) with the stateful service Shop/Cart, one
 * partition, three replicas (Primary on N1), all Ready unless a test changes what the agents report.
 */
final class HealthFixture {

    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    static final ServiceName CART = new ServiceName("Shop", "Cart");
    static final ClusterCommand.NewService NEW_CART = new ClusterCommand.NewService(CART,
            ServiceSpec.stateful("CartType", 3, 2, null, ActivationMode.EXCLUSIVE_PROCESS), "CartPkg",
            UUID.fromString("00000000-0000-0000-0000-00000000000a"));
    static final UUID PARTITION = NEW_CART.partitions().get(0).id();
    static final List<String> NODES = List.of("N1", "N2", "N3");

    final ClusterState state = new ClusterState();
    private long index;

    HealthFixture(ApplicationHealthPolicy policy) {
        var manifest = new ApplicationTypeManifest("ShopType", "1.0.0", Map.of(),
                List.of(new ServicePackageManifest("CartPkg", "1.0.0",
                        List.of(new ServiceTypeManifest("CartType", ServiceKind.STATEFUL, "Code")),
                        List.of(new CodePackageManifest("Code", "1.0.0", new ProcessSpec("./run.sh", null, null, null),
                                ResourceRequest.NONE, null, new RestartPolicy(null, null, null, 5))),
                        List.of())),
                List.of(), policy);
        apply(new ClusterCommand.RegisterApplicationType(
                new ApplicationTypeRecord("ShopType", "1.0.0", manifest, "ab".repeat(32), 1, T0), T0));
        for (String n : NODES) {
            apply(new ClusterCommand.RegisterNode(new NodeDescription(n, "127.0.0.1", "fd:/" + n, "UD-" + n,
                    Map.of("cpu", 2.0), Map.of()), T0));
        }
        apply(new ClusterCommand.CreateApplication(new ApplicationRecord("Shop", "ShopType", "1.0.0", Map.of(), T0),
                List.of(), T0));
        apply(new ClusterCommand.CreateService(NEW_CART, T0));
        apply(new ClusterCommand.ApplyPlacement(index, List.of(
                new ClusterCommand.NewReplica(CART, PARTITION, "N1", ReplicaRole.Primary, "a1"),
                new ClusterCommand.NewReplica(CART, PARTITION, "N2", ReplicaRole.ActiveSecondary, "a2"),
                new ClusterCommand.NewReplica(CART, PARTITION, "N3", ReplicaRole.ActiveSecondary, "a3")),
                List.of(), List.of(), Map.of(), T0));
        for (String n : NODES) {
            report(n, DeployedServicePackage.ActivationState.Active, running());
        }
    }

    HealthFixture() {
        this(ApplicationHealthPolicy.DEFAULT);
    }

    CommandResult apply(ClusterCommand command) {
        CommandResult r = state.apply(++index, command);
        assertThat(r.applied()).as("%s: %s", command.getClass().getSimpleName(), r.message()).isTrue();
        return r;
    }

    /** What node {@code n}'s agent reports about the one activation hosting its Cart replica. */
    void report(String n, DeployedServicePackage.ActivationState activation, CodePackageStatus code) {
        ReplicaRecord r = replicaOn(n);
        apply(new ClusterCommand.ReportNode(new NodeReport(n, index, List.of(new DeployedServicePackage(n, "Shop",
                "CartPkg", "1.0.0", r.activationId(), activation, Map.of(), List.of(code), List.of(r.id())))), T0));
    }

    static CodePackageStatus running() {
        return new CodePackageStatus("Code", CodePackageStatus.State.Running, 42L, T0, 0, null, null, null, true, 0, null,
                List.of(), null);
    }

    static CodePackageStatus crashLooping(int failures, int exitCode, String stderr) {
        return new CodePackageStatus("Code", CodePackageStatus.State.Backoff, null, T0, failures, exitCode, T0.plusSeconds(30),
                T0.plusSeconds(60), false, failures, stderr, List.of(), null);
    }

    static CodePackageStatus failingReadiness(String message) {
        return new CodePackageStatus("Code", CodePackageStatus.State.Running, 42L, T0, 0, null, null, null, false, 0, null,
                List.of(new ProbeStatus(ProbeStatus.Type.Liveness, true, 0, "HTTP 200", T0),
                        new ProbeStatus(ProbeStatus.Type.Readiness, false, 3, message, T0.plusSeconds(5))), null);
    }

    ReplicaRecord replicaOn(String node) {
        return state.snapshot().replicas().values().stream().filter(r -> r.node().equals(node)).findFirst().orElseThrow();
    }

    HealthEntity.Replica replicaEntity(String node) {
        ReplicaRecord r = replicaOn(node);
        return new HealthEntity.Replica(r.service(), r.partitionId(), r.id());
    }

    HealthEntity.DeployedServicePackage packageEntity(String node) {
        return new HealthEntity.DeployedServicePackage(node, "Shop", "CartPkg", replicaOn(node).activationId());
    }

    void nodeDown(String n) {
        apply(new ClusterCommand.SetNodeStatus(n, io.capstan.model.cluster.NodeStatus.Down, "missed heartbeats for 15s",
                T0.plusSeconds(20)));
    }

    ClusterSnapshot snapshot() {
        return state.snapshot();
    }

    static final HealthEntity CLUSTER = new HealthEntity.Cluster();
    static final HealthEntity SERVICE = new HealthEntity.Service(CART);
    static final HealthEntity PARTITION_ENTITY = new HealthEntity.Partition(CART, PARTITION);

    EntityHealth health(HealthEntity entity, HealthPolicyOverrides overrides, Duration after) {
        return HealthEvaluator.forQuery(snapshot(), T0.plus(after), overrides).evaluate(entity).orElseThrow();
    }

    EntityHealth health(HealthEntity entity) {
        return health(entity, HealthPolicyOverrides.NONE, Duration.ofMinutes(1));
    }

    /** Every line of an evaluation tree, indented by depth: {@code "  Error Replicas: ..."}. */
    static List<String> tree(List<HealthEvaluation> evaluations) {
        List<String> lines = new ArrayList<>();
        walk(evaluations, "", lines);
        return lines;
    }

    private static void walk(List<HealthEvaluation> evaluations, String indent, List<String> lines) {
        for (HealthEvaluation e : evaluations) {
            lines.add(indent + e.healthState() + " " + e.description());
            walk(e.unhealthyEvaluations(), indent + "  ", lines);
        }
    }
}
