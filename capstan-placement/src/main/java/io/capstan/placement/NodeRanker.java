package io.capstan.placement;

/**
 * The soft goals, as an ordering of candidate nodes; offer candidates, read the best. Order:
 * <ol>
 *   <li>spread: fewest replicas of the partition already in the node's fault + upgrade domain;</li>
 *   <li>balance: lowest score after placing (Σ per-metric (used/capacity)² plus a small per-replica term),
 *       counting the replica's full load even where its shared activation already runs;</li>
 *   <li>fewer processes: when equally good, a node already running the shared activation group;</li>
 *   <li>name, so ties are deterministic.</li>
 * </ol>
 */
final class NodeRanker {

    private int best = -1;
    private int bestPenalty;
    private double bestScore;
    private boolean bestHostsGroup;

    void reset() {
        best = -1;
    }

    /** Considers a node that passed every hard rule. */
    void offer(int node, int penalty, double projectedScore, boolean hostsGroup) {
        if (best < 0 || better(penalty, projectedScore, hostsGroup, node)) {
            best = node;
            bestPenalty = penalty;
            bestScore = projectedScore;
            bestHostsGroup = hostsGroup;
        }
    }

    private boolean better(int penalty, double score, boolean hostsGroup, int node) {
        if (penalty != bestPenalty) {
            return penalty < bestPenalty;
        }
        if (score != bestScore) {
            return score < bestScore;
        }
        if (hostsGroup != bestHostsGroup) {
            return hostsGroup;
        }
        return node < best;
    }

    /** The best node offered since {@link #reset()}, or -1. */
    int best() {
        return best;
    }

    int bestPenalty() {
        return bestPenalty;
    }
}
