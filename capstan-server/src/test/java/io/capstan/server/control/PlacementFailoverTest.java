package io.capstan.server.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.ActivationMode;
import io.capstan.model.PartitionScheme;
import io.capstan.model.ServiceName;
import io.capstan.model.ServiceSpec;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.cluster.NodeDisableIntent;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.manifest.ManifestParser;
import io.capstan.model.wire.NodeReport;
import io.capstan.placement.PlacementPlanner;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterEvent;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterState;
import io.capstan.state.CommandResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failover and graceful drain through the real state machine: the state's snapshot goes through
 * {@link PlacementInputs}, the planner and {@link PlacementController#commandsFor}, and the command is applied,
 * as the leader's placement loop does (without Raft). Agents' reports are written by hand.
 */
class PlacementFailoverTest {

    private static final String MANIFEST = """
            applicationType: ShopType
            version: 1.0.0
            servicePackages:
              - name: CartPackage
                version: 1.0.0
                serviceTypes:
                  - {name: CartType, kind: stateful, codePackage: Cart}
                codePackages:
                  - name: Cart
                    version: 1.0.0
                    process: {command: ./run.sh}
                    resources: {cpu: 0.5, memoryMiB: 256}
            """;
    private static final Instant AT = Instant.parse("2025-01-01T00:00:00Z");
    private static final ServiceName CARTS = new ServiceName("Shop", "Carts");
    private static final ServiceSpec SPEC =
            ServiceSpec.stateful("CartType", 3, 2, new PartitionScheme.Singleton(), ActivationMode.SHARED_PROCESS);
    private static final ClusterCommand.NewService NEW_CARTS = new ClusterCommand.NewService(CARTS, SPEC, "CartPackage", new UUID(7, 7));
    private static final UUID PARTITION = NEW_CARTS.partitions().get(0).id();

    private final ClusterState state = new ClusterState();
    private final PlacementPlanner planner = new PlacementPlanner();
    private final PlacementController controller = new PlacementController(null, Clock.fixed(AT, ZoneOffset.UTC), () -> "",
            new HeartbeatTracker(Clock.fixed(AT, ZoneOffset.UTC)), HeartbeatPolicy.withDownAfter(Duration.ofSeconds(3)));
    private long index;

    @BeforeEach
    void fourNodesAndAStatefulServiceOfThreeReadyReplicas() {
        apply(new ClusterCommand.RegisterApplicationType(new ApplicationTypeRecord("ShopType", "1.0.0",
                ManifestParser.parse(MANIFEST, "capstan-app.yaml"), "ab".repeat(32), 1, AT), AT));
        for (int i = 1; i <= 4; i++) {
            apply(new ClusterCommand.RegisterNode(new NodeDescription("n" + i, "127.0.0.1:" + (7000 + i), "fd:/" + i, "ud" + i,
                    Map.of(), Map.of()), AT));
        }
        apply(new ClusterCommand.CreateApplication(new ApplicationRecord("Shop", "ShopType", "1.0.0", Map.of(), AT),
                List.of(NEW_CARTS), AT));
        placeUntilSettled();
        reportAllReady();
        assertThat(replicas()).hasSize(3).allMatch(r -> r.status() == ReplicaStatus.Ready);
    }

    @Test
    void aDisabledNodeHandsItsPrimaryOverWaitsForTheReplacementThenBecomesDisabled() {
        String node = primary().node();
        long replicaId = primary().id();
        apply(new ClusterCommand.DisableNode(node, NodeDisableIntent.Remove, AT));
        assertThat(nodeStatus(node)).isEqualTo(NodeStatus.Disabling);

        placeUntilSettled();
        // Handed over at once to a Ready secondary; the old Primary stays while its replacement builds.
        assertThat(primary().node()).isNotEqualTo(node);
        assertThat(replicas()).hasSize(4).anyMatch(r -> r.id() == replicaId && r.role() == ReplicaRole.ActiveSecondary);
        assertThat(nodeStatus(node)).isEqualTo(NodeStatus.Disabling);

        reportAllReady();
        placeUntilSettled();
        assertThat(replicas()).hasSize(3).noneMatch(r -> r.node().equals(node));
        assertThat(nodeStatus(node)).isEqualTo(NodeStatus.Disabled);
        assertThat(events("ReplicaRemoved")).singleElement().extracting(ClusterEvent::message).asString()
                .startsWith("from " + node + ": node '" + node + "' is being disabled; replacement ready on ");
        assertThat(placementProblem()).isNull();
    }

    @Test
    void aNodeGoingDownHasItsPrimaryPromotedAndReplacedInOnePlan() {
        String node = primary().node();
        apply(new ClusterCommand.SetNodeStatus(node, NodeStatus.Down, "missed heartbeats", AT));

        assertThat(placeOnce()).isTrue();
        assertThat(replicas()).hasSize(3).noneMatch(r -> r.node().equals(node));
        assertThat(replicas().stream().filter(r -> r.role() == ReplicaRole.Primary)).singleElement()
                .extracting(ReplicaRecord::status).isEqualTo(ReplicaStatus.Ready);
        assertThat(placeOnce()).isFalse();
    }

    @Test
    void aCrashLoopingReplicaIsReplacedOnAnotherNode() {
        ReplicaRecord secondary = replicas().stream().filter(r -> r.role() == ReplicaRole.ActiveSecondary).findFirst().orElseThrow();
        report(secondary.node(), DeployedServicePackage.ActivationState.Failed);
        assertThat(replicas()).anyMatch(r -> r.id() == secondary.id() && r.status() == ReplicaStatus.Down);

        assertThat(placeOnce()).isTrue();
        assertThat(replicas()).hasSize(3).noneMatch(r -> r.node().equals(secondary.node()));
    }

    // ---------------------------------------------------------------- helpers

    private void apply(ClusterCommand command) {
        CommandResult result = state.apply(++index, command);
        assertThat(result.applied()).as("%s: %s", command, result.message()).isTrue();
    }

    /** One round of the leader's placement loop; whether it changed anything. */
    private boolean placeOnce() {
        ClusterSnapshot snapshot = state.snapshot();
        List<ClusterCommand.ApplyPlacement> commands =
                controller.commandsFor(snapshot, planner.plan(PlacementInputs.from(snapshot)), snapshot.services().values());
        if (commands.isEmpty()) {
            return false;
        }
        commands.forEach(this::apply);
        return true;
    }

    private void placeUntilSettled() {
        for (int round = 0; placeOnce(); round++) {
            assertThat(round).as("placement rounds").isLessThan(5);
        }
    }

    /** Every node's agent reports the shared activation Active and its replicas hosted and ready. */
    private void reportAllReady() {
        for (String node : state.snapshot().nodes().keySet()) {
            report(node, DeployedServicePackage.ActivationState.Active);
        }
    }

    private void report(String node, DeployedServicePackage.ActivationState activation) {
        List<Long> hosted = replicas().stream().filter(r -> r.node().equals(node)).map(ReplicaRecord::id).toList();
        List<DeployedServicePackage> deployed = new ArrayList<>();
        if (!hosted.isEmpty()) {
            CodePackageStatus cart = new CodePackageStatus("Cart", CodePackageStatus.State.Running, 42L, AT, 0, null, null, null,
                    true, 0, "", List.of(), null);
            deployed.add(new DeployedServicePackage(node, "Shop", "CartPackage", "1.0.0", "", activation, Map.of(),
                    List.of(cart), hosted));
        }
        apply(new ClusterCommand.ReportNode(new NodeReport(node, index, deployed), AT));
    }

    private List<ReplicaRecord> replicas() {
        return List.copyOf(state.snapshot().replicas().values());
    }

    private ReplicaRecord primary() {
        return replicas().stream().filter(r -> r.role() == ReplicaRole.Primary).findFirst().orElseThrow();
    }

    private NodeStatus nodeStatus(String node) {
        return state.snapshot().nodes().get(node).status();
    }

    private List<ClusterEvent> events(String kind) {
        return state.snapshot().events().stream().filter(e -> e.kind().equals(kind)).toList();
    }

    private String placementProblem() {
        return state.snapshot().services().get(CARTS).placementProblem();
    }
}
