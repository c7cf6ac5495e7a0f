package io.capstan.bench;

import io.capstan.model.ServiceKind;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.placement.NodeCandidate;
import io.capstan.placement.PartitionDemand;
import io.capstan.placement.PlacementPlan;
import io.capstan.placement.PlacementProblem;
import io.capstan.placement.ReplicaPlacement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Checks a plan without trusting the planner: recomputes every node's load from the placements
 * (shared activations counted once per node), evaluates constraints with the scenario's hand-written
 * predicates, and measures balance (max/min utilisation per metric) and domain spread.
 */
final class PlanVerifier {

    /** Balance of one metric over eligible nodes: utilisation = load / capacity. */
    record MetricBalance(String metric, double minUtilisation, double maxUtilisation, double meanUtilisation) {
        double ratio() {
            return minUtilisation > 0 ? maxUtilisation / minUtilisation : Double.POSITIVE_INFINITY;
        }
    }

    record Report(long placements, long failedPartitions, long missingReplicas, long constraintViolations,
                  long capacityViolations, long duplicateViolations, long ineligibleViolations,
                  long primaryViolations, long faultDomainSpreadViolations, long upgradeDomainSpreadViolations,
                  List<MetricBalance> balance, int minReplicasPerNode, int maxReplicasPerNode) {
    }

    static Report verify(PlacementProblem problem, PlacementPlan plan, Map<String, Predicate<NodeCandidate>> checks) {
        List<NodeCandidate> nodes = problem.nodes();
        Map<String, Integer> nodeIndex = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            nodeIndex.put(nodes.get(i).name(), i);
        }
        Map<UUID, PartitionDemand> demands = new HashMap<>();
        for (PartitionDemand d : problem.partitions()) {
            demands.put(d.partitionId(), d);
        }
        TreeSet<String> metricNames = new TreeSet<>();
        nodes.forEach(n -> metricNames.addAll(n.capacity().keySet()));
        List<String> metrics = new ArrayList<>(metricNames);
        double[][] load = new double[metrics.size()][nodes.size()];
        int[] replicasOnNode = new int[nodes.size()];
        Set<String> sharedOnNode = new HashSet<>();
        Map<UUID, List<Integer>> byPartition = new HashMap<>();
        Map<UUID, Integer> primaries = new HashMap<>();
        long constraintViolations = 0;
        long ineligible = 0;
        long duplicates = 0;
        Map<String, boolean[]> okCache = new HashMap<>();
        for (ReplicaPlacement p : plan.placements()) {
            int node = nodeIndex.get(p.node());
            PartitionDemand d = demands.get(p.partitionId());
            NodeCandidate candidate = nodes.get(node);
            boolean[] ok = okCache.computeIfAbsent(d.placementConstraint(), text -> {
                Predicate<NodeCandidate> check = checks.get(text);
                boolean[] r = new boolean[nodes.size()];
                for (int i = 0; i < r.length; i++) {
                    r[i] = check.test(nodes.get(i));
                }
                return r;
            });
            if (!ok[node]) {
                constraintViolations++;
            }
            if (!candidate.eligible()) {
                ineligible++;
            }
            List<Integer> on = byPartition.computeIfAbsent(p.partitionId(), k -> new ArrayList<>());
            if (on.contains(node)) {
                duplicates++;
            }
            on.add(node);
            if (p.role() == ReplicaRole.Primary) {
                primaries.merge(p.partitionId(), 1, Integer::sum);
            }
            replicasOnNode[node]++;
            boolean pay = d.activationGroup() == null || sharedOnNode.add(d.activationGroup() + "@" + node);
            if (pay) {
                for (int m = 0; m < metrics.size(); m++) {
                    load[m][node] += d.load().getOrDefault(metrics.get(m), 0.0);
                }
            }
        }
        long capacityViolations = 0;
        for (int i = 0; i < nodes.size(); i++) {
            for (int m = 0; m < metrics.size(); m++) {
                Double cap = nodes.get(i).capacity().get(metrics.get(m));
                if (cap != null && load[m][i] > cap + 1e-6) {
                    capacityViolations++;
                    break;
                }
            }
        }
        long primaryViolations = 0;
        long fdSpread = 0;
        long udSpread = 0;
        Map<String, Set<String>[]> domainsByConstraint = new HashMap<>();
        for (Map.Entry<UUID, List<Integer>> e : byPartition.entrySet()) {
            PartitionDemand d = demands.get(e.getKey());
            if (d.kind() == ServiceKind.STATEFUL && primaries.getOrDefault(e.getKey(), 0) != 1) {
                primaryViolations++;
            }
            if (d.targetReplicas() == PartitionDemand.EVERY_NODE) {
                continue;
            }
            Set<String>[] domains = domainsByConstraint.computeIfAbsent(d.placementConstraint(),
                    text -> feasibleDomains(nodes, checks.get(text)));
            fdSpread += spreadTooWide(e.getValue(), nodes, domains[0], true) ? 1 : 0;
            udSpread += spreadTooWide(e.getValue(), nodes, domains[1], false) ? 1 : 0;
        }
        List<MetricBalance> balance = new ArrayList<>();
        for (int m = 0; m < metrics.size(); m++) {
            double min = Double.POSITIVE_INFINITY;
            double max = 0;
            double sum = 0;
            int count = 0;
            for (int i = 0; i < nodes.size(); i++) {
                Double cap = nodes.get(i).capacity().get(metrics.get(m));
                if (!nodes.get(i).eligible() || cap == null || cap <= 0) {
                    continue;
                }
                double u = load[m][i] / cap;
                min = Math.min(min, u);
                max = Math.max(max, u);
                sum += u;
                count++;
            }
            balance.add(new MetricBalance(metrics.get(m), min, max, count == 0 ? 0 : sum / count));
        }
        int minReplicas = Integer.MAX_VALUE;
        int maxReplicas = 0;
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).eligible()) {
                minReplicas = Math.min(minReplicas, replicasOnNode[i]);
                maxReplicas = Math.max(maxReplicas, replicasOnNode[i]);
            }
        }
        long missing = plan.failures().stream().mapToLong(f -> f.wanted() - f.placed()).sum();
        return new Report(plan.placements().size(), plan.failures().size(), missing, constraintViolations,
                capacityViolations, duplicates, ineligible, primaryViolations, fdSpread, udSpread, balance,
                minReplicas, maxReplicas);
    }

    @SuppressWarnings("unchecked")
    private static Set<String>[] feasibleDomains(List<NodeCandidate> nodes, Predicate<NodeCandidate> check) {
        Set<String> fds = new HashSet<>();
        Set<String> uds = new HashSet<>();
        for (NodeCandidate n : nodes) {
            if (n.eligible() && check.test(n)) {
                fds.add(n.faultDomain());
                uds.add(n.upgradeDomain());
            }
        }
        return new Set[] {fds, uds};
    }

    /** Max-difference rule: replica counts over the domains that could take one differ by more than 1. */
    private static boolean spreadTooWide(List<Integer> placed, List<NodeCandidate> nodes, Set<String> domains, boolean fault) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String d : domains) {
            counts.put(d, 0);
        }
        for (int node : placed) {
            NodeCandidate n = nodes.get(node);
            counts.merge(fault ? n.faultDomain() : n.upgradeDomain(), 1, Integer::sum);
        }
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int c : counts.values()) {
            min = Math.min(min, c);
            max = Math.max(max, c);
        }
        return max - min > 1;
    }
}
