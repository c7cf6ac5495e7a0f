package io.capstan.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.ActivationMode;
import io.capstan.model.PartitionScheme;
import io.capstan.model.ServiceName;
import io.capstan.model.ServiceSpec;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.manifest.ManifestParser;
import io.capstan.state.ClusterCommand.ApplyPlacement;
import io.capstan.state.ClusterCommand.NewReplica;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The plan applier refuses what no longer fits the state a plan is applied to, whatever the planner believed at
 * the index it planned at: capacity, nodes gone Down, a second replica of a partition on one node.
 */
class PlanApplierTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private static final ServiceName WEB = new ServiceName("App", "Web");
    private static final ServiceName API = new ServiceName("App", "Api");

    private final ClusterState state = new ClusterState();
    private long index;
    private List<UUID> webPartitions;
    private List<UUID> apiPartitions;

    private CommandResult apply(ClusterCommand c) {
        return state.apply(++index, c);
    }

    /** Two nodes of 2 cores; every exclusive activation of the package asks for 1 core. */
    @BeforeEach
    void twoNodesOfTwoCores() {
        for (String n : List.of("n1", "n2")) {
            assertThat(apply(new ClusterCommand.RegisterNode(new NodeDescription(n, "127.0.0.1", "fd:/" + n, "UD0",
                    Map.of("cpu", 2.0, "memoryMiB", 4096.0), Map.of()), T0)).applied()).isTrue();
        }
        var manifest = ManifestParser.parse("""
                applicationType: T
                version: "1"
                servicePackages:
                  - name: Pkg
                    version: "1"
                    serviceTypes: [{name: S, kind: stateless, codePackage: Code}]
                    codePackages:
                      - {name: Code, version: "1", process: {command: ./run}, resources: {cpu: 1, memoryMiB: 100}}
                """, "capstan-app.yaml");
        apply(new ClusterCommand.RegisterApplicationType(new ApplicationTypeRecord("T", "1", manifest, "ef".repeat(32), 1, T0), T0));
        apply(new ClusterCommand.CreateApplication(new ApplicationRecord("App", "T", "1", Map.of(), T0), List.of(), T0));
        var web = new ClusterCommand.NewService(WEB, ServiceSpec.stateless("S", 1, new PartitionScheme.UniformInt64Range(0, 9, 4),
                ActivationMode.EXCLUSIVE_PROCESS), "Pkg", new UUID(1, 1));
        var api = new ClusterCommand.NewService(API, ServiceSpec.stateless("S", 1, new PartitionScheme.UniformInt64Range(0, 9, 4),
                ActivationMode.EXCLUSIVE_PROCESS), "Pkg", new UUID(2, 2));
        assertThat(apply(new ClusterCommand.CreateService(web, T0)).applied()).isTrue();
        assertThat(apply(new ClusterCommand.CreateService(api, T0)).applied()).isTrue();
        webPartitions = web.partitions().stream().map(p -> p.id()).toList();
        apiPartitions = api.partitions().stream().map(p -> p.id()).toList();
    }

    private static NewReplica on(ServiceName s, UUID partition, String node, String activation) {
        return new NewReplica(s, partition, node, ReplicaRole.None, activation);
    }

    @Test
    void aPlanFromAnOldIndexThatNoLongerFitsIsRefusedInPartAndNeverOverCommitsANode() {
        long planned = state.index();
        // Two plans made at the same index, each believing both nodes are empty: 2 × 2 cores per node.
        ApplyPlacement first = new ApplyPlacement(planned, List.of(on(WEB, webPartitions.get(0), "n1", "a1"),
                on(WEB, webPartitions.get(1), "n1", "a2"), on(WEB, webPartitions.get(2), "n2", "a3")), List.of(), List.of(), Map.of(), T0);
        ApplyPlacement stale = new ApplyPlacement(planned, List.of(on(API, apiPartitions.get(0), "n1", "b1"),
                on(API, apiPartitions.get(1), "n2", "b2"), on(API, apiPartitions.get(2), "n2", "b3")), List.of(), List.of(), Map.of(), T0);
        assertThat(apply(first).refused()).isZero();
        CommandResult result = apply(stale);

        assertThat(result.applied()).isTrue();
        assertThat(result.refused()).isEqualTo(2);
        assertThat(result.message()).contains("node has no room for cpu");
        assertThat(replicasOn("n1")).hasSize(2);
        assertThat(replicasOn("n2")).hasSize(2);
        assertThat(state.snapshot().replicasOf(API)).extracting(ReplicaRecord::node).containsExactly("n2");
    }

    @Test
    void placementsOnANodeThatWentDownOrOnANodeThatAlreadyHasThePartitionAreRefused() {
        long planned = state.index();
        apply(new ClusterCommand.SetNodeStatus("n2", NodeStatus.Down, "missed heartbeats", T0));
        apply(new ApplyPlacement(planned, List.of(on(WEB, webPartitions.get(0), "n1", "a1")), List.of(), List.of(), Map.of(), T0));
        CommandResult result = apply(new ApplyPlacement(planned, List.of(on(WEB, webPartitions.get(0), "n1", "a9"),
                on(WEB, webPartitions.get(1), "n2", "a2"), on(WEB, webPartitions.get(3), "n1", "a4")), List.of(), List.of(), Map.of(), T0));

        assertThat(result.refused()).isEqualTo(2);
        assertThat(result.message()).contains("node not Up (1)").contains("partition already has a replica on the node (1)");
        assertThat(state.snapshot().replicasOf(WEB)).extracting(ReplicaRecord::partitionId)
                .containsExactlyInAnyOrder(webPartitions.get(0), webPartitions.get(3));
    }

    @Test
    void removalsInAPlanFreeTheirLoadForItsPlacements() {
        apply(new ApplyPlacement(state.index(), List.of(on(WEB, webPartitions.get(0), "n1", "a1"),
                on(WEB, webPartitions.get(1), "n1", "a2")), List.of(), List.of(), Map.of(), T0));
        long full = replicasOn("n1").get(0).id();
        CommandResult result = apply(new ApplyPlacement(state.index(), List.of(on(API, apiPartitions.get(0), "n1", "b1")),
                List.of(new ClusterCommand.Removal(full, "scale down")), List.of(), Map.of(), T0));

        assertThat(result.refused()).isZero();
        assertThat(replicasOn("n1")).hasSize(2).noneMatch(r -> r.id() == full);
    }

    @Test
    void aMalformedPlanIsRejectedWholeAndChangesNothing() {
        ClusterSnapshot before = state.snapshot();
        CommandResult result = apply(new ApplyPlacement(state.index(), java.util.Arrays.asList(
                on(WEB, webPartitions.get(0), "n1", "a1"), new NewReplica(WEB, null, "n1", ReplicaRole.None, "a2")),
                List.of(), List.of(), Map.of(), T0));

        assertThat(result.applied()).isFalse();
        assertThat(result.message()).contains("partitionId");
        assertThat(state.snapshot().replicas()).isEqualTo(before.replicas());
    }

    private List<ReplicaRecord> replicasOn(String node) {
        return state.snapshot().replicasOn(node);
    }
}
