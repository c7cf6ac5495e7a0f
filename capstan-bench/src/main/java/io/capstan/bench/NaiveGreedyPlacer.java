package io.capstan.bench;

import io.capstan.model.ServiceKind;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.placement.NodeCandidate;
import io.capstan.placement.PartitionDemand;
import io.capstan.placement.PlacementConstraint;
import io.capstan.placement.PlacementFailure;
import io.capstan.placement.PlacementPlan;
import io.capstan.placement.PlacementProblem;
import io.capstan.placement.ReplicaPlacement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The baseline: for every replica, scan all nodes and take the least loaded one that passes the hard
 * rules (eligible, constraint, capacity, one replica per partition per node). No spreading, no indexes;
 * constraints are still evaluated once per node per expression, so the comparison measures the search,
 * not the parser. Handles fresh partitions only (it ignores existing replicas), which is what the
 * benchmark generates.
 */
final class NaiveGreedyPlacer {

    PlacementPlan place(PlacementProblem problem) {
        List<NodeCandidate> nodes = problem.nodes();
        int n = nodes.size();
        List<String> metrics = new ArrayList<>();
        Map<String, Integer> metricIndex = new HashMap<>();
        for (NodeCandidate node : nodes) {
            for (String m : node.capacity().keySet()) {
                metricIndex.computeIfAbsent(m, k -> {
                    metrics.add(k);
                    return metrics.size() - 1;
                });
            }
        }
        double[][] capacity = new double[metrics.size()][n];
        double[][] used = new double[metrics.size()][n];
        for (int i = 0; i < n; i++) {
            for (int m = 0; m < metrics.size(); m++) {
                capacity[m][i] = nodes.get(i).capacity().getOrDefault(metrics.get(m), Double.POSITIVE_INFINITY);
            }
        }
        Map<String, boolean[]> constraintOk = new HashMap<>();
        Set<String> hosted = new HashSet<>();
        List<ReplicaPlacement> placements = new ArrayList<>();
        List<PlacementFailure> failures = new ArrayList<>();
        for (PartitionDemand d : problem.partitions()) {
            boolean[] ok = constraintOk.computeIfAbsent(d.placementConstraint(), text -> {
                PlacementConstraint c = PlacementConstraint.parse(text);
                boolean[] r = new boolean[n];
                for (int i = 0; i < n; i++) {
                    r[i] = nodes.get(i).eligible() && c.test(nodes.get(i));
                }
                return r;
            });
            int target = d.targetReplicas();
            if (target == PartitionDemand.EVERY_NODE) {
                target = 0;
                for (boolean b : ok) {
                    target += b ? 1 : 0;
                }
            }
            double[] load = new double[metrics.size()];
            d.load().forEach((k, v) -> {
                Integer m = metricIndex.get(k);
                if (m != null) {
                    load[m] = v;
                }
            });
            boolean[] mine = new boolean[n];
            int placed = 0;
            for (int k = 0; k < target; k++) {
                int best = -1;
                double bestScore = Double.POSITIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    if (!ok[i] || mine[i]) {
                        continue;
                    }
                    boolean shared = d.activationGroup() != null && hosted.contains(d.activationGroup() + "@" + i);
                    boolean fits = true;
                    double score = 0;
                    for (int m = 0; m < load.length; m++) {
                        double add = shared ? 0 : load[m];
                        if (used[m][i] + add > capacity[m][i] + 1e-9) {
                            fits = false;
                            break;
                        }
                        score += used[m][i] / capacity[m][i];
                    }
                    if (fits && score < bestScore) {
                        best = i;
                        bestScore = score;
                    }
                }
                if (best < 0) {
                    break;
                }
                boolean first = d.activationGroup() == null || hosted.add(d.activationGroup() + "@" + best);
                if (first) {
                    for (int m = 0; m < load.length; m++) {
                        used[m][best] += load[m];
                    }
                }
                mine[best] = true;
                ReplicaRole role = d.kind() == ServiceKind.STATELESS ? ReplicaRole.None
                        : placed == 0 ? ReplicaRole.Primary : ReplicaRole.ActiveSecondary;
                placements.add(new ReplicaPlacement(d.service(), d.partitionId(), nodes.get(best).name(), role));
                placed++;
            }
            if (placed < target) {
                failures.add(new PlacementFailure(d.service(), d.partitionId(), placed, target, "no feasible node"));
            }
        }
        return new PlacementPlan(placements, List.of(), List.of(), failures);
    }
}
