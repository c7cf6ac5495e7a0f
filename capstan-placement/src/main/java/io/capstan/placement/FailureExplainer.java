package io.capstan.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Says why a partition could not get all its replicas: counts the nodes each hard rule excluded and
 * names a few of them, e.g. {@code placed 1 of 3: 2 nodes excluded by capacity (memoryMiB: needs 512,
 * node-2 has 100 free, ...), 7 nodes excluded by constraint 'NodeType == "frontend"' (node-4, ...)}.
 * Runs only on failure, so it may look at every node.
 */
final class FailureExplainer {

    /** How many node names each rule lists before "and N more". */
    static final int NAMES_PER_RULE = 3;

    private final ClusterIndex cluster;
    private final NodeLoads loads;

    FailureExplainer(ClusterIndex cluster, NodeLoads loads) {
        this.cluster = cluster;
        this.loads = loads;
    }

    String explain(int placed, int wanted, FeasibleSet set, PartitionSpread spread, int group, double[] exclusiveLoad) {
        String head = "placed " + placed + " of " + wanted + ": ";
        if (set.error != null) {
            return head + set.error;
        }
        if (cluster.nodeCount == 0) {
            return head + "the cluster has no nodes";
        }
        int metrics = cluster.metricCount();
        int[] capacityCount = new int[metrics];
        List<List<String>> capacityNodes = new ArrayList<>();
        for (int m = 0; m < metrics; m++) {
            capacityNodes.add(new ArrayList<>());
        }
        double[] needs = new double[metrics];
        Rule constraint = new Rule();
        Rule ineligible = new Rule();
        Rule draining = new Rule();
        Rule hosting = new Rule();
        Rule lost = new Rule();
        for (int node = 0; node < cluster.nodeCount; node++) {
            if (cluster.draining[node]) {
                draining.add(cluster.name(node));
            } else if (!cluster.eligible[node]) {
                ineligible.add(cluster.name(node));
            } else if (!set.constraintOk[node]) {
                constraint.add(cluster.name(node));
            } else if (spread.hosts(node)) {
                hosting.add(cluster.name(node));
            } else if (spread.avoids(node)) {
                lost.add(cluster.name(node));
            } else {
                double[] cost = loads.costOn(node, group, exclusiveLoad);
                int m = firstShortMetric(node, cost);
                if (m >= 0) {
                    needs[m] = cost[m];
                    if (capacityCount[m]++ < NAMES_PER_RULE) {
                        capacityNodes.get(m).add(cluster.name(node) + " has " + number(Math.max(0, loads.free(m, node))) + " free");
                    }
                }
            }
        }
        List<String> parts = new ArrayList<>();
        int capacityTotal = 0;
        List<String> perMetric = new ArrayList<>();
        for (int m = 0; m < metrics; m++) {
            if (capacityCount[m] > 0) {
                capacityTotal += capacityCount[m];
                String more = capacityCount[m] > NAMES_PER_RULE ? ", and " + (capacityCount[m] - NAMES_PER_RULE) + " more" : "";
                perMetric.add(cluster.metrics[m] + ": needs " + number(needs[m]) + ", "
                        + String.join(", ", capacityNodes.get(m)) + more);
            }
        }
        if (capacityTotal > 0) {
            parts.add(nodes(capacityTotal) + " excluded by capacity (" + String.join("; ", perMetric) + ")");
        }
        if (constraint.count > 0) {
            parts.add(nodes(constraint.count) + " excluded by constraint '" + set.constraintText + "'" + constraint.names());
        }
        if (ineligible.count > 0) {
            parts.add(nodes(ineligible.count) + " down or disabled" + ineligible.names());
        }
        if (draining.count > 0) {
            parts.add(nodes(draining.count) + " being disabled" + draining.names());
        }
        if (hosting.count > 0) {
            parts.add(nodes(hosting.count) + " already hosting a replica of this partition" + hosting.names());
        }
        if (lost.count > 0) {
            parts.add(nodes(lost.count) + " where a replica of this partition was just lost" + lost.names());
        }
        return head + (parts.isEmpty() ? "no node passes the hard rules" : String.join(", ", parts));
    }

    private int firstShortMetric(int node, double[] cost) {
        for (int m = 0; m < cost.length; m++) {
            if (cost[m] > 0) {
                double[] single = new double[cost.length];
                single[m] = cost[m];
                if (!loads.fits(node, single)) {
                    return m;
                }
            }
        }
        return -1;
    }

    private static String nodes(int count) {
        return count == 1 ? "1 node" : count + " nodes";
    }

    /** 512 for 512.0, 0.25 for 0.25, at most three decimals. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = String.format(Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** Count and first few node names for one rule. */
    private static final class Rule {
        int count;
        final List<String> names = new ArrayList<>();

        void add(String name) {
            if (count++ < NAMES_PER_RULE) {
                names.add(name);
            }
        }

        String names() {
            String more = count > NAMES_PER_RULE ? ", and " + (count - NAMES_PER_RULE) + " more" : "";
            return " (" + String.join(", ", names) + more + ")";
        }
    }
}
