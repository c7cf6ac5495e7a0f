package io.capstan.server.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.ActivationMode;
import io.capstan.model.PartitionScheme;
import io.capstan.model.ServiceName;
import io.capstan.model.ServiceSpec;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.manifest.ManifestParser;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What placements submitted but not yet applied hold back from the next plan: their services, and the load they
 * will add to their nodes (an ExclusiveProcess placement a whole activation each, a SharedProcess one only where
 * its activation is not running and not already on its way).
 */
class PlacementsInFlightTest {

    private static final String MANIFEST = """
            applicationType: ShopType
            version: 1.0.0
            servicePackages:
              - name: CartPackage
                version: 1.0.0
                serviceTypes:
                  - {name: CartType, kind: stateless, codePackage: Cart}
                codePackages:
                  - {name: Cart, version: 1.0.0, process: {command: ./run.sh}, resources: {cpu: 0.5, memoryMiB: 256}}
            """;
    private static final Instant AT = Instant.parse("2025-01-01T00:00:00Z");
    private static final ServiceName EXCLUSIVE = new ServiceName("Shop", "Solo");
    private static final ServiceName SHARED = new ServiceName("Shop", "Pooled");

    private final ClusterState state = new ClusterState();
    private final PlacementsInFlight inFlight = new PlacementsInFlight();
    private ClusterCommand.NewService solo;
    private ClusterCommand.NewService pooled;
    private long index;

    @BeforeEach
    void twoNodesAndAnExclusiveAndASharedService() {
        apply(new ClusterCommand.RegisterApplicationType(new ApplicationTypeRecord("ShopType", "1.0.0",
                ManifestParser.parse(MANIFEST, "capstan-app.yaml"), "ab".repeat(32), 1, AT), AT));
        for (String n : List.of("n1", "n2")) {
            apply(new ClusterCommand.RegisterNode(new NodeDescription(n, "127.0.0.1:7000", "fd:/" + n, "ud0", Map.of(), Map.of()), AT));
        }
        solo = new ClusterCommand.NewService(EXCLUSIVE, ServiceSpec.stateless("CartType", 2, new PartitionScheme.Singleton(),
                ActivationMode.EXCLUSIVE_PROCESS), "CartPackage", new UUID(1, 1));
        pooled = new ClusterCommand.NewService(SHARED, ServiceSpec.stateless("CartType", 2,
                new PartitionScheme.UniformInt64Range(0, 100, 2), ActivationMode.SHARED_PROCESS), "CartPackage", new UUID(2, 2));
        apply(new ClusterCommand.CreateApplication(new ApplicationRecord("Shop", "ShopType", "1.0.0", Map.of(), AT),
                List.of(solo, pooled), AT));
    }

    private void apply(ClusterCommand command) {
        assertThat(state.apply(++index, command).applied()).isTrue();
    }

    private static ClusterCommand.ApplyPlacement part(long basedOn, List<ClusterCommand.NewReplica> placements) {
        return new ClusterCommand.ApplyPlacement(basedOn, placements, List.of(), List.of(), Map.of(), AT);
    }

    @Test
    void eachExclusivePlacementAddsAnActivationAndASharedOneAddsItsActivationOnce() {
        ClusterSnapshot s = state.snapshot();
        UUID soloPartition = solo.partitions().get(0).id();
        ClusterCommand.ApplyPlacement exclusive = part(s.index(), List.of(
                new ClusterCommand.NewReplica(EXCLUSIVE, soloPartition, "n1", ReplicaRole.None, "a1"),
                new ClusterCommand.NewReplica(EXCLUSIVE, soloPartition, "n2", ReplicaRole.None, "a2")));
        ClusterCommand.ApplyPlacement shared = part(s.index(), List.of(
                new ClusterCommand.NewReplica(SHARED, pooled.partitions().get(0).id(), "n1", ReplicaRole.None, ""),
                new ClusterCommand.NewReplica(SHARED, pooled.partitions().get(1).id(), "n1", ReplicaRole.None, "")));
        inFlight.add(exclusive, s);
        inFlight.add(shared, s);

        assertThat(inFlight.holds(EXCLUSIVE)).isTrue();
        assertThat(inFlight.holds(SHARED)).isTrue();
        assertThat(inFlight.parts()).isEqualTo(2);
        // n1: one exclusive activation and one shared activation hosting both shared placements.
        assertThat(inFlight.loadByNode().get("n1")).containsEntry("cpu", 1.0).containsEntry("memoryMiB", 512.0);
        assertThat(inFlight.loadByNode().get("n2")).containsEntry("cpu", 0.5);

        inFlight.done(exclusive);
        assertThat(inFlight.holds(EXCLUSIVE)).isFalse();
        assertThat(inFlight.loadByNode().get("n1")).containsEntry("cpu", 0.5);
        assertThat(inFlight.loadByNode()).doesNotContainKey("n2");

        inFlight.done(exclusive); // a part answered twice (a failure path) changes nothing more
        assertThat(inFlight.holds(SHARED)).isTrue();
        inFlight.done(shared);
        assertThat(inFlight.isEmpty()).isTrue();
        assertThat(inFlight.loadByNode()).isEmpty();
    }

    @Test
    void aSharedActivationAlreadyRunningOnTheNodeCostsNothingMore() {
        UUID first = pooled.partitions().get(0).id();
        apply(part(state.index(), List.of(new ClusterCommand.NewReplica(SHARED, first, "n1", ReplicaRole.None, ""))));
        ClusterSnapshot s = state.snapshot();
        inFlight.add(part(s.index(), List.of(
                new ClusterCommand.NewReplica(SHARED, pooled.partitions().get(1).id(), "n1", ReplicaRole.None, ""))), s);

        assertThat(inFlight.holds(SHARED)).isTrue();
        assertThat(inFlight.loadByNode().getOrDefault("n1", Map.of())).doesNotContainKey("cpu");
    }
}
