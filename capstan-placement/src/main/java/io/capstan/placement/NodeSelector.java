package io.capstan.placement;

/**
 * Chooses the node for one more replica of a partition (the "select" step).
 *
 * <p>Fast path: every bucket of the feasible set offers its cached least-loaded node; all nodes of the
 * few best buckets by (spread penalty, head score) are checked against the hard rules and ranked
 * exactly. That is one look per bucket (~500 for a 10,000-node 50×10 domain grid) and ~100 exact
 * rankings instead of 10,000. When none of them passes, or the winner is not at the lowest spread
 * penalty any bucket has, an exact scan decides, skipping buckets that cannot win on spread or cannot
 * fit the load. (Ranking every node exactly was measured no better balanced on the benchmark, 8× slower.)
 */
final class NodeSelector {

    /** How many buckets (by their heads) the fast path ranks in full. */
    private static final int CANDIDATES = 4;

    private final NodeLoads loads;
    private final NodeRanker ranker = new NodeRanker();
    private final int[] candNode = new int[CANDIDATES];
    private final int[] candBucket = new int[CANDIDATES];
    private final int[] candPenalty = new int[CANDIDATES];
    private final double[] candScore = new double[CANDIDATES];

    NodeSelector(NodeLoads loads) {
        this.loads = loads;
    }

    /** The best admissible node for one more replica, or -1 when no node passes the hard rules. */
    int select(FeasibleSet set, PartitionSpread spread, int group, double[] exclusiveLoad) {
        int filled = 0;
        int minPenalty = Integer.MAX_VALUE;
        for (int b = 0; b < set.bucketCount; b++) {
            set.refresh(b, loads);
            int node = set.bucketBest[b];
            int penalty = spread.penalty(set.bucketFaultDomain[b], set.bucketUpgradeDomain[b]);
            minPenalty = Math.min(minPenalty, penalty);
            double score = loads.score[node];
            // Keep the CANDIDATES best heads by (penalty, score, node), insertion-sorted.
            int pos = filled;
            while (pos > 0 && headBefore(penalty, score, node, pos - 1)) {
                pos--;
            }
            if (pos < CANDIDATES) {
                int last = Math.min(filled, CANDIDATES - 1);
                for (int i = last; i > pos; i--) {
                    candNode[i] = candNode[i - 1];
                    candBucket[i] = candBucket[i - 1];
                    candPenalty[i] = candPenalty[i - 1];
                    candScore[i] = candScore[i - 1];
                }
                candNode[pos] = node;
                candBucket[pos] = b;
                candPenalty[pos] = penalty;
                candScore[pos] = score;
                filled = Math.min(filled + 1, CANDIDATES);
            }
        }
        ranker.reset();
        // Rank the best buckets in full, not only their heads: cheap (a bucket is at most 32 nodes), and it lets
        // a node that already runs the shared activation win a tie against the head.
        for (int i = 0; i < filled; i++) {
            int b = candBucket[i];
            for (int k = set.bucketStart[b]; k < set.bucketEnd[b]; k++) {
                offerIfAdmissible(set, spread, group, exclusiveLoad, set.bucketNodes[k], candPenalty[i]);
            }
        }
        if (ranker.best() >= 0 && ranker.bestPenalty() == minPenalty) {
            return ranker.best();
        }
        return exactScan(set, spread, group, exclusiveLoad);
    }

    private boolean headBefore(int penalty, double score, int node, int i) {
        if (penalty != candPenalty[i]) {
            return penalty < candPenalty[i];
        }
        if (score != candScore[i]) {
            return score < candScore[i];
        }
        return node < candNode[i];
    }

    private int exactScan(FeasibleSet set, PartitionSpread spread, int group, double[] exclusiveLoad) {
        // The ranker may already hold a fast-path winner; it only bounds the search, the scan decides.
        boolean groupHostedSomewhere = group != ActivationGroups.EXCLUSIVE && loads.groupNodeCount(group) > 0;
        double[] newCost = loads.firstReplicaCost(group, exclusiveLoad);
        for (int b = 0; b < set.bucketCount; b++) {
            int penalty = spread.penalty(set.bucketFaultDomain[b], set.bucketUpgradeDomain[b]);
            if (ranker.best() >= 0 && penalty > ranker.bestPenalty()) {
                continue;
            }
            // Where the shared group already runs, the replica costs nothing, so only prune when it runs nowhere.
            if (!groupHostedSomewhere && !set.mayFit(b, newCost)) {
                continue;
            }
            for (int i = set.bucketStart[b]; i < set.bucketEnd[b]; i++) {
                offerIfAdmissible(set, spread, group, exclusiveLoad, set.bucketNodes[i], penalty);
            }
        }
        return ranker.best();
    }

    private void offerIfAdmissible(FeasibleSet set, PartitionSpread spread, int group, double[] exclusiveLoad,
                                   int node, int penalty) {
        if (spread.excludes(node)) {
            return;
        }
        double[] cost = loads.costOn(node, group, exclusiveLoad);
        if (!loads.fits(node, cost)) {
            return;
        }
        // Balance is judged on the replica's full (nominal) load even where its shared activation already runs
        // and it would add nothing: otherwise those nodes would always win and soak up replicas. Running the
        // activation already only breaks ties ("fewer processes when equally good").
        ranker.offer(node, penalty, loads.projectedScore(node, loads.firstReplicaCost(group, exclusiveLoad)),
                loads.hosts(group, node));
    }
}
