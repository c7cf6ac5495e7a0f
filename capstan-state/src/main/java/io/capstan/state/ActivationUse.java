package io.capstan.state;

import java.util.Map;

/**
 * One activation on a node, as the node's load sees it: how many replicas it hosts and the load it costs (once,
 * however many replicas: a SharedProcess activation hosts many). The load is recorded when the activation's
 * first replica arrives, so removing it later frees exactly what it took.
 */
public record ActivationUse(int replicas, Map<String, Double> load) {
}
