package io.capstan.state;

import io.capstan.model.cluster.ActivationKey;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.pcollections.TreePMap;

/**
 * The load on one node: its activations (each with the replicas it hosts and the load it costs) and their sum
 * per metric. Kept as a secondary index of the state, so the plan applier and the incremental planner never
 * scan a node's replicas to know what is free on it.
 */
public record NodeUsage(TreePMap<ActivationKey, ActivationUse> activations, Map<String, Long> usedMicros) {

    static final NodeUsage NONE = new NodeUsage(TreePMap.empty(), Map.of());
    /**
     * Sums are kept in millionths as integers: exact whatever the order of additions and removals, so a server
     * restored from a snapshot decides a capacity check at the boundary exactly as one that applied every entry.
     */
    private static final double MICROS = 1_000_000.0;

    public double used(String metric) {
        return usedMicros.getOrDefault(metric, 0L) / MICROS;
    }

    public boolean hosts(ActivationKey key) {
        return activations.containsKey(key);
    }

    boolean isEmpty() {
        return activations.isEmpty();
    }

    /** The usage of a node's activations, built at once (a restore does this for every node). */
    static NodeUsage of(java.util.SortedMap<ActivationKey, ActivationUse> activations) {
        Map<String, Long> sums = new HashMap<>();
        for (ActivationUse use : activations.values()) {
            use.load().forEach((metric, value) -> sums.merge(metric, Math.round(value * MICROS), Long::sum));
        }
        sums.values().removeIf(v -> v == 0);
        return new NodeUsage(TreePMap.fromSortedMap(activations), Map.copyOf(sums));
    }

    /** One more replica in {@code key}; a new activation adds its load, asked for only then. */
    NodeUsage plus(ActivationKey key, Supplier<Map<String, Double>> load) {
        ActivationUse use = activations.get(key);
        if (use != null) {
            return new NodeUsage(activations.plus(key, new ActivationUse(use.replicas() + 1, use.load())), usedMicros);
        }
        Map<String, Double> l = Map.copyOf(load.get());
        return new NodeUsage(activations.plus(key, new ActivationUse(1, l)), add(usedMicros, l, 1));
    }

    /** One replica fewer in {@code key}; an activation left without replicas frees the load it took. */
    NodeUsage minus(ActivationKey key) {
        ActivationUse use = activations.get(key);
        if (use == null) {
            return this;
        }
        if (use.replicas() > 1) {
            return new NodeUsage(activations.plus(key, new ActivationUse(use.replicas() - 1, use.load())), usedMicros);
        }
        return new NodeUsage(activations.minus(key), add(usedMicros, use.load(), -1));
    }

    private static Map<String, Long> add(Map<String, Long> used, Map<String, Double> load, int sign) {
        Map<String, Long> out = new HashMap<>(used);
        load.forEach((metric, value) -> out.merge(metric, sign * Math.round(value * MICROS), Long::sum));
        out.values().removeIf(v -> v == 0);
        return Map.copyOf(out);
    }
}
