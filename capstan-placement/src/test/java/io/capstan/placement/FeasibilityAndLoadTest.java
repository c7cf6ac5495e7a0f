package io.capstan.placement;

import static io.capstan.placement.Fixtures.demand;
import static io.capstan.placement.Fixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.ServiceKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeasibilityAndLoadTest {

    @Test
    void nodesAreIndexedByNameWhateverTheInputOrder() {
        ClusterIndex index = new ClusterIndex(new PlacementProblem(
                List.of(node("c", "fd1", "ud0"), node("a", "fd0", "ud1"), node("b", "fd0", "ud0")), List.of()));
        assertThat(index.name(0)).isEqualTo("a");
        assertThat(index.name(2)).isEqualTo("c");
        assertThat(index.nodeIndex("b")).isEqualTo(1);
        assertThat(index.nodeIndex("zzz")).isEqualTo(-1);
        assertThat(index.faultDomains).containsExactly("fd0", "fd1");
    }

    @Test
    void theFeasibleSetHoldsEligibleNodesPassingTheConstraintGroupedByCell() {
        List<NodeCandidate> nodes = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            nodes.add(new NodeCandidate(String.format("n%02d", i), "fd" + i % 2, "ud0", Map.of(),
                    Map.of("NodeType", i % 4 == 0 ? "frontend" : "backend"), i != 4));
        }
        ClusterIndex index = new ClusterIndex(new PlacementProblem(nodes, List.of()));
        FeasibleSet set = new FeasibilityFilter(index).forConstraint("NodeType == \"frontend\"");
        // 20 frontends (every 4th), minus n04 which is not eligible; all in fd0.
        assertThat(set.size()).isEqualTo(19);
        assertThat(set.member[4]).isFalse();
        assertThat(set.constraintOk[4]).isTrue();
        assertThat(set.bucketCount).isEqualTo(1);
        FeasibleSet all = new FeasibilityFilter(index).forConstraint("");
        // 40 nodes per fault domain, buckets hold at most 32: two buckets per cell.
        assertThat(all.bucketCount).isEqualTo(4);
        for (int b = 0; b < all.bucketCount; b++) {
            for (int i = all.bucketStart[b]; i < all.bucketEnd[b]; i++) {
                assertThat(index.cellOf[all.bucketNodes[i]]).isEqualTo(all.bucketCell[b]);
            }
        }
    }

    @Test
    void eachDistinctConstraintIsCompiledOncePerRound() {
        ClusterIndex index = new ClusterIndex(new PlacementProblem(List.of(node("a", "", "")), List.of()));
        FeasibilityFilter filter = new FeasibilityFilter(index);
        assertThat(filter.forConstraint("Disk > 1")).isSameAs(filter.forConstraint("Disk > 1"));
        assertThat(filter.forConstraint("Disk >")).isSameAs(filter.forConstraint("Disk >"));
        assertThat(filter.forConstraint("Disk >").error).startsWith("invalid placement constraint 'Disk >'");
        assertThat(filter.forConstraint("Disk >").size()).isZero();
    }

    @Test
    void aMetricWithoutCapacityIsUnlimited() {
        PartitionDemand d = demand(1, ServiceKind.STATELESS, 1, "", null, Map.of("cpu", 1.0, "gpu", 1000.0));
        ClusterIndex index = new ClusterIndex(new PlacementProblem(
                List.of(node("a", "", "", Map.of("cpu", 2.0), Map.of())), List.of(d)));
        NodeLoads loads = new NodeLoads(index, new ActivationGroups(List.of(d), index), 0, 1);
        double[] load = index.loadVector(d.load());
        assertThat(loads.fits(0, load)).isTrue();
        loads.add(0, ActivationGroups.EXCLUSIVE, load);
        assertThat(loads.fits(0, load)).isTrue();
        loads.add(0, ActivationGroups.EXCLUSIVE, load);
        assertThat(loads.fits(0, load)).as("cpu 2 of 2 used").isFalse();
    }

    @Test
    void exactlyFullFitsDespiteFloatingPointSums() {
        PartitionDemand d = demand(1, ServiceKind.STATELESS, 1, "", null, Map.of("cpu", 0.1));
        ClusterIndex index = new ClusterIndex(new PlacementProblem(List.of(node("a", "", "", Map.of("cpu", 1.0), Map.of())), List.of(d)));
        NodeLoads loads = new NodeLoads(index, new ActivationGroups(List.of(d), index), 0, 1);
        double[] load = index.loadVector(d.load());
        int placed = 0;
        while (loads.fits(0, load)) {
            loads.add(0, ActivationGroups.EXCLUSIVE, load);
            placed++;
        }
        assertThat(placed).isEqualTo(10);
    }

    @Test
    void aSharedActivationIsPaidOncePerNode() {
        PartitionDemand a = new PartitionDemand(Fixtures.SERVICE, Fixtures.partition(1), ServiceKind.STATELESS, 1, "",
                "App1/Pkg", Map.of("memoryMiB", 100.0), List.of());
        PartitionDemand b = new PartitionDemand(Fixtures.SERVICE, Fixtures.partition(2), ServiceKind.STATELESS, 1, "",
                "App1/Pkg", Map.of("memoryMiB", 300.0), List.of());
        ClusterIndex index = new ClusterIndex(new PlacementProblem(
                List.of(node("a", "", "", Map.of("memoryMiB", 1000.0), Map.of())), List.of(a, b)));
        ActivationGroups groups = new ActivationGroups(List.of(a, b), index);
        NodeLoads loads = new NodeLoads(index, groups, 0, 2);
        int g = groups.idOf(a);
        assertThat(groups.idOf(b)).isEqualTo(g);
        assertThat(groups.idOf(demand(3, ServiceKind.STATELESS, 1, "", null, Map.of()))).isEqualTo(ActivationGroups.EXCLUSIVE);
        // The group costs the largest load any of its partitions declares, whichever lands first.
        assertThat(loads.costOn(0, g, null)).containsExactly(300.0);
        loads.add(0, g, null);
        loads.add(0, g, null);
        loads.add(0, g, null);
        assertThat(loads.used[0][0]).isEqualTo(300.0);
        assertThat(loads.replicas[0]).isEqualTo(3);
        assertThat(loads.hosts(g, 0)).isTrue();
        assertThat(loads.costOn(0, g, null)).containsExactly(0.0);
        assertThat(loads.groupNodeCount(g)).isEqualTo(1);
    }

    @Test
    void theScoreIsTheSumOfSquaredUtilisationsPlusTheReplicaTerm() {
        PartitionDemand d = demand(1, ServiceKind.STATELESS, 1, "", null, Map.of("cpu", 1.0, "memoryMiB", 256.0));
        ClusterIndex index = new ClusterIndex(new PlacementProblem(
                List.of(node("a", "", "", Map.of("cpu", 4.0, "memoryMiB", 1024.0), Map.of())), List.of(d)));
        NodeLoads loads = new NodeLoads(index, new ActivationGroups(List.of(d), index), 0.01, 1);
        double[] load = index.loadVector(d.load());
        assertThat(loads.projectedScore(0, load)).isCloseTo(0.0625 + 0.0625 + 0.01, org.assertj.core.data.Offset.offset(1e-12));
        loads.add(0, ActivationGroups.EXCLUSIVE, load);
        assertThat(loads.score[0]).isCloseTo(0.135, org.assertj.core.data.Offset.offset(1e-12));
        // A second replica: (2/4)² + (512/1024)² + 2 × 0.01.
        assertThat(loads.projectedScore(0, load)).isCloseTo(0.25 + 0.25 + 0.02, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void aBucketRefreshesItsBestNodeWhenItsCellChanges() {
        List<NodeCandidate> nodes = List.of(node("a", "fd", "ud", Map.of("cpu", 4.0), Map.of()),
                node("b", "fd", "ud", Map.of("cpu", 4.0), Map.of()));
        PartitionDemand d = demand(1, ServiceKind.STATELESS, 1, "", null, Map.of("cpu", 1.0));
        ClusterIndex index = new ClusterIndex(new PlacementProblem(nodes, List.of(d)));
        NodeLoads loads = new NodeLoads(index, new ActivationGroups(List.of(d), index), 0, 1);
        FeasibleSet set = new FeasibilityFilter(index).forConstraint("");
        set.refresh(0, loads);
        assertThat(set.bucketBest[0]).as("tie: lower name").isZero();
        assertThat(set.bucketMaxFree[0][0]).isEqualTo(4.0);
        loads.add(0, ActivationGroups.EXCLUSIVE, index.loadVector(d.load()));
        set.refresh(0, loads);
        assertThat(set.bucketBest[0]).isEqualTo(1);
        assertThat(set.mayFit(0, new double[] {4.0})).isTrue();
        assertThat(set.mayFit(0, new double[] {4.5})).isFalse();
    }
}
