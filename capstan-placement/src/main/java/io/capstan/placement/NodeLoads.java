package io.capstan.placement;

/**
 * The mutable load of every node during a round, in primitive arrays: used capacity per metric,
 * replica counts, which shared activation groups each node hosts, and a balance score kept up to date
 * incrementally so ranking never recomputes it from scratch.
 */
final class NodeLoads {

    /** Slack for floating-point sums: a replica that fits exactly must not be refused for 1e-16. */
    private static final double EPSILON = 1e-9;

    final double[][] used;
    final int[] replicas;
    /** Primaries per node: a new partition's Primary goes where there are fewest (Service Fabric balances PrimaryCount). */
    final int[] primaries;
    /**
     * Σ over capacity metrics of (used/capacity)², plus countWeight × replicas: lower is emptier. Squares make
     * the ranking balance each metric on its own: a node already high on memory pays more for more memory
     * than one high on nothing (a plain sum let one metric run 10 points above the others on the benchmark).
     */
    final double[] score;
    /** Bumped whenever a node of the (fault domain, upgrade domain) cell changes, so caches know they are stale. */
    final int[] cellVersion;

    private final ClusterIndex cluster;
    private final ActivationGroups groups;
    private final double[][] inverseCapacity;
    private final double countWeight;
    private final LongHashSet hosted;
    private final double[] zero;
    private final int[] groupNodes;

    NodeLoads(ClusterIndex cluster, ActivationGroups groups, double countWeight, int expectedReplicas) {
        this.cluster = cluster;
        this.groups = groups;
        this.countWeight = countWeight;
        int metrics = cluster.metricCount();
        used = new double[metrics][cluster.nodeCount];
        replicas = new int[cluster.nodeCount];
        primaries = new int[cluster.nodeCount];
        score = new double[cluster.nodeCount];
        cellVersion = new int[Math.max(1, cluster.cellCount())];
        inverseCapacity = new double[metrics][cluster.nodeCount];
        for (int m = 0; m < metrics; m++) {
            for (int n = 0; n < cluster.nodeCount; n++) {
                double c = cluster.capacity[m][n];
                // Unlimited (or zero) capacity does not take part in balancing: there is nothing to normalise by.
                inverseCapacity[m][n] = Double.isFinite(c) && c > 0 ? 1.0 / c : 0.0;
            }
        }
        hosted = new LongHashSet(Math.max(16, expectedReplicas));
        zero = new double[metrics];
        groupNodes = new int[groups.count()];
    }

    /** On how many nodes the shared activation {@code group} runs. */
    int groupNodeCount(int group) {
        return groupNodes[group];
    }

    /** What a replica costs on a node that does not run its activation yet. */
    double[] firstReplicaCost(int group, double[] exclusiveLoad) {
        return group == ActivationGroups.EXCLUSIVE ? exclusiveLoad : groups.load(group);
    }

    /** Whether {@code node} already runs the shared activation {@code group}. */
    boolean hosts(int group, int node) {
        return group != ActivationGroups.EXCLUSIVE && hosted.contains((long) group * cluster.nodeCount + node);
    }

    /** What one more replica costs on {@code node}: nothing if its shared activation is already there. */
    double[] costOn(int node, int group, double[] exclusiveLoad) {
        if (group == ActivationGroups.EXCLUSIVE) {
            return exclusiveLoad;
        }
        return hosts(group, node) ? zero : groups.load(group);
    }

    /** Whether {@code cost} fits within every metric's remaining capacity on {@code node}. */
    boolean fits(int node, double[] cost) {
        for (int m = 0; m < cost.length; m++) {
            double c = cost[m];
            if (c > 0) {
                double cap = cluster.capacity[m][node];
                if (used[m][node] + c > cap + EPSILON * Math.max(1.0, cap)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The node's score after adding a replica of this cost. */
    double projectedScore(int node, double[] cost) {
        double s = countWeight * (replicas[node] + 1);
        for (int m = 0; m < cost.length; m++) {
            double u = (used[m][node] + cost[m]) * inverseCapacity[m][node];
            s += u * u;
        }
        return s;
    }

    /** Free capacity of a metric (infinite when unlimited). */
    double free(int metric, int node) {
        return cluster.capacity[metric][node] - used[metric][node];
    }

    /** Accounts one replica of {@code group} (or exclusive {@code exclusiveLoad}) on {@code node}. */
    void add(int node, int group, double[] exclusiveLoad) {
        double[] cost;
        if (group == ActivationGroups.EXCLUSIVE) {
            cost = exclusiveLoad;
        } else {
            if (hosted.add((long) group * cluster.nodeCount + node)) {
                cost = groups.load(group);
                groupNodes[group]++;
            } else {
                cost = zero;
            }
        }
        for (int m = 0; m < cost.length; m++) {
            used[m][node] += cost[m];
        }
        replicas[node]++;
        double s = countWeight * replicas[node];
        for (int m = 0; m < cost.length; m++) {
            double u = used[m][node] * inverseCapacity[m][node];
            s += u * u;
        }
        score[node] = s;
        cellVersion[cluster.cellOf[node]]++;
    }
}
