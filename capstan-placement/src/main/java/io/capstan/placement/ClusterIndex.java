package io.capstan.placement;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The immutable part of one planning round in primitive form: nodes sorted by name (so an index
 * comparison is a name comparison and node input order never matters), their domains as small ints,
 * and capacity per metric as {@code double[metric][node]} (+infinity = unlimited).
 */
final class ClusterIndex {

    final NodeCandidate[] nodes;
    final int nodeCount;
    final boolean[] eligible;
    /** Being disabled: not eligible, but its replicas stay until replaced (see {@link NodeCandidate#draining()}). */
    final boolean[] draining;
    final int eligibleCount;
    final int[] faultDomainOf;
    final int[] upgradeDomainOf;
    final int[] cellOf;
    final String[] faultDomains;
    final String[] upgradeDomains;
    final String[] metrics;
    final double[][] capacity;
    private final Map<String, Integer> nodeIndex;
    private final Map<String, Integer> metricIndex;

    ClusterIndex(PlacementProblem problem) {
        nodes = problem.nodes().toArray(NodeCandidate[]::new);
        Arrays.sort(nodes, Comparator.comparing(NodeCandidate::name));
        nodeCount = nodes.length;
        nodeIndex = new HashMap<>(nodeCount * 2);
        for (int i = 0; i < nodeCount; i++) {
            if (nodeIndex.put(nodes[i].name(), i) != null) {
                throw new IllegalArgumentException("node '" + nodes[i].name() + "' appears twice in the placement problem");
            }
        }
        eligible = new boolean[nodeCount];
        draining = new boolean[nodeCount];
        int e = 0;
        for (int i = 0; i < nodeCount; i++) {
            eligible[i] = nodes[i].eligible();
            draining[i] = nodes[i].draining();
            e += eligible[i] ? 1 : 0;
        }
        eligibleCount = e;

        faultDomains = sortedDistinct(nodes, NodeCandidate::faultDomain);
        upgradeDomains = sortedDistinct(nodes, NodeCandidate::upgradeDomain);
        Map<String, Integer> fdIndex = indexOf(faultDomains);
        Map<String, Integer> udIndex = indexOf(upgradeDomains);
        faultDomainOf = new int[nodeCount];
        upgradeDomainOf = new int[nodeCount];
        cellOf = new int[nodeCount];
        for (int i = 0; i < nodeCount; i++) {
            faultDomainOf[i] = fdIndex.get(nodes[i].faultDomain());
            upgradeDomainOf[i] = udIndex.get(nodes[i].upgradeDomain());
            cellOf[i] = faultDomainOf[i] * upgradeDomains.length + upgradeDomainOf[i];
        }

        // Every metric anyone mentions: node capacities and partition loads. Sorted for determinism.
        TreeSet<String> metricNames = new TreeSet<>();
        for (NodeCandidate n : nodes) {
            metricNames.addAll(n.capacity().keySet());
        }
        for (PartitionDemand d : problem.partitions()) {
            metricNames.addAll(d.load().keySet());
        }
        metrics = metricNames.toArray(String[]::new);
        metricIndex = indexOf(metrics);
        capacity = new double[metrics.length][nodeCount];
        for (double[] row : capacity) {
            Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        for (int i = 0; i < nodeCount; i++) {
            for (Map.Entry<String, Double> c : nodes[i].capacity().entrySet()) {
                capacity[metricIndex.get(c.getKey())][i] = c.getValue();
            }
        }
    }

    /** The node's index, or -1 when no such node is in the problem. */
    int nodeIndex(String name) {
        Integer i = nodeIndex.get(name);
        return i == null ? -1 : i;
    }

    int metricCount() {
        return metrics.length;
    }

    int cellCount() {
        return faultDomains.length * upgradeDomains.length;
    }

    String name(int node) {
        return nodes[node].name();
    }

    /** A load map as a vector over this round's metrics. */
    double[] loadVector(Map<String, Double> load) {
        double[] v = new double[metrics.length];
        for (Map.Entry<String, Double> e : load.entrySet()) {
            v[metricIndex.get(e.getKey())] = e.getValue();
        }
        return v;
    }

    private static String[] sortedDistinct(NodeCandidate[] nodes, java.util.function.Function<NodeCandidate, String> key) {
        TreeSet<String> set = new TreeSet<>();
        for (NodeCandidate n : nodes) {
            set.add(key.apply(n));
        }
        return set.toArray(String[]::new);
    }

    private static Map<String, Integer> indexOf(String[] names) {
        Map<String, Integer> m = new HashMap<>(names.length * 2);
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], i);
        }
        return m;
    }
}
