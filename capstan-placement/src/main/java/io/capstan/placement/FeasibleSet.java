package io.capstan.placement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The nodes that pass the static hard rules for one constraint expression (eligible and constraint
 * true), grouped into small buckets of nodes from the same (fault domain, upgrade domain) cell.
 *
 * <p>Each bucket caches its least-loaded node and the largest free capacity per metric; the cache is
 * revalidated through {@link NodeLoads#cellVersion}, so choosing a node looks at one entry per bucket
 * instead of at every node, and all nodes of a bucket share one spread penalty.
 */
final class FeasibleSet {

    /** Nodes per bucket: small enough that rescanning a stale bucket is cheap, large enough to keep the bucket count low. */
    static final int BUCKET_SIZE = 32;

    final String constraintText;
    /** The parse error when the expression is invalid (then no node is a member), else null. */
    final String error;
    /** Constraint result alone, ignoring eligibility (reconcile uses it to evict from nodes that no longer match). */
    final boolean[] constraintOk;
    /** Eligible and constraint true. */
    final boolean[] member;
    /** Members in ascending node index (= name) order. */
    final int[] members;

    final int bucketCount;
    final int[] bucketFaultDomain;
    final int[] bucketUpgradeDomain;
    final int[] bucketCell;
    final int[] bucketStart;
    final int[] bucketEnd;
    final int[] bucketNodes;
    final int[] bucketBest;
    final double[][] bucketMaxFree;
    private final int[] bucketSeenVersion;

    private FeasibleSet(ClusterIndex cluster, String constraintText, String error, boolean[] constraintOk) {
        this.constraintText = constraintText;
        this.error = error;
        this.constraintOk = constraintOk;
        int n = cluster.nodeCount;
        member = new boolean[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            member[i] = error == null && cluster.eligible[i] && constraintOk[i];
            count += member[i] ? 1 : 0;
        }
        members = new int[count];
        for (int i = 0, k = 0; i < n; i++) {
            if (member[i]) {
                members[k++] = i;
            }
        }

        // Group members by cell, then cut each cell into buckets of at most BUCKET_SIZE nodes.
        int cells = Math.max(1, cluster.cellCount());
        int[] perCell = new int[cells + 1];
        for (int node : members) {
            perCell[cluster.cellOf[node] + 1]++;
        }
        for (int c = 0; c < cells; c++) {
            perCell[c + 1] += perCell[c];
        }
        bucketNodes = new int[count];
        int[] fill = Arrays.copyOf(perCell, cells);
        for (int node : members) {
            bucketNodes[fill[cluster.cellOf[node]]++] = node;
        }
        List<int[]> buckets = new ArrayList<>();
        for (int c = 0; c < cells; c++) {
            for (int s = perCell[c]; s < perCell[c + 1]; s += BUCKET_SIZE) {
                buckets.add(new int[] {c, s, Math.min(s + BUCKET_SIZE, perCell[c + 1])});
            }
        }
        bucketCount = buckets.size();
        bucketCell = new int[bucketCount];
        bucketFaultDomain = new int[bucketCount];
        bucketUpgradeDomain = new int[bucketCount];
        bucketStart = new int[bucketCount];
        bucketEnd = new int[bucketCount];
        for (int b = 0; b < bucketCount; b++) {
            int[] d = buckets.get(b);
            bucketCell[b] = d[0];
            bucketStart[b] = d[1];
            bucketEnd[b] = d[2];
            int first = bucketNodes[d[1]];
            bucketFaultDomain[b] = cluster.faultDomainOf[first];
            bucketUpgradeDomain[b] = cluster.upgradeDomainOf[first];
        }
        bucketBest = new int[bucketCount];
        bucketSeenVersion = new int[bucketCount];
        Arrays.fill(bucketSeenVersion, Integer.MIN_VALUE);
        bucketMaxFree = new double[cluster.metricCount()][bucketCount];
    }

    static FeasibleSet of(ClusterIndex cluster, PlacementConstraint constraint) {
        boolean[] ok = new boolean[cluster.nodeCount];
        for (int i = 0; i < cluster.nodeCount; i++) {
            ok[i] = constraint.test(cluster.nodes[i]);
        }
        return new FeasibleSet(cluster, constraint.text(), null, ok);
    }

    static FeasibleSet invalid(ClusterIndex cluster, String constraintText, String error) {
        boolean[] ok = new boolean[cluster.nodeCount];
        // An expression we cannot read must not evict replicas that are running fine: treat it as true for them.
        Arrays.fill(ok, true);
        return new FeasibleSet(cluster, constraintText, error, ok);
    }

    int size() {
        return members.length;
    }

    /** Brings bucket {@code b}'s cached best node and free capacities up to date if its cell changed. */
    void refresh(int b, NodeLoads loads) {
        int version = loads.cellVersion[bucketCell[b]];
        if (bucketSeenVersion[b] == version) {
            return;
        }
        bucketSeenVersion[b] = version;
        int best = -1;
        double bestScore = Double.POSITIVE_INFINITY;
        int metrics = bucketMaxFree.length;
        for (int m = 0; m < metrics; m++) {
            bucketMaxFree[m][b] = Double.NEGATIVE_INFINITY;
        }
        for (int i = bucketStart[b]; i < bucketEnd[b]; i++) {
            int node = bucketNodes[i];
            double s = loads.score[node];
            // Strict '<' over ascending indices: ties go to the lower node name.
            if (best < 0 || s < bestScore) {
                best = node;
                bestScore = s;
            }
            for (int m = 0; m < metrics; m++) {
                double f = loads.free(m, node);
                if (f > bucketMaxFree[m][b]) {
                    bucketMaxFree[m][b] = f;
                }
            }
        }
        bucketBest[b] = best;
    }

    /** False when no node of bucket {@code b} can have room for {@code cost} (a necessary test only). */
    boolean mayFit(int b, double[] cost) {
        for (int m = 0; m < cost.length; m++) {
            if (cost[m] > 0 && cost[m] > bucketMaxFree[m][b] + 1e-9 * Math.max(1.0, cost[m])) {
                return false;
            }
        }
        return true;
    }
}
