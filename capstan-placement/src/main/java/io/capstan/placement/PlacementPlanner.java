package io.capstan.placement;

import io.capstan.model.ServiceKind;
import io.capstan.model.cluster.ReplicaRole;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The scheduler: a pure, deterministic function from a {@link PlacementProblem} to a {@link PlacementPlan}
 * (no I/O, no clock, no randomness; same input, same plan; node input order does not matter).
 *
 * <p>Pipeline, after Nomad's: reconcile each partition ({@link PartitionReconciler}) → account the load
 * of the replicas that stay → for each missing replica, filter by the hard rules ({@link FeasibilityFilter}),
 * rank by the soft goals ({@link NodeRanker}), select ({@link NodeSelector}) → explain what could not be
 * placed ({@link FailureExplainer}). Partitions are placed most constrained first (fewest feasible nodes), otherwise in
 * input order, each one's replicas in a row; once
 * a partition's placements are known, the reconciler decides which of its replicas on draining nodes may go
 * ({@link PartitionReconciler#releaseDraining}), as that depends on whether replacements could be placed. A
 * promotion the failover order leaves tied is decided at its partition's turn too
 * ({@link PartitionReconciler#promote}): on the candidate node with the fewest Primaries so far.
 * Stateless and thread-safe: every call builds its own working state.
 */
public final class PlacementPlanner {

    /**
     * Weight of the per-replica term in the balance score: an average node's replica count is worth this
     * fraction of one fully used metric (Service Fabric also balances a replica-count metric). Without it,
     * replicas that declare no load would all pile on the least loaded node; kept small so declared loads
     * decide otherwise. 0.03 is the compromise measured on the benchmark: 0.01 lets replica counts per node
     * spread 58–280, 0.1 worsens the per-metric max/min ratio by ~0.06.
     */
    static final double REPLICA_COUNT_WEIGHT = 0.03;

    public PlacementPlanner() {
    }

    /** Computes the plan for one snapshot. */
    public PlacementPlan plan(PlacementProblem problem) {
        ClusterIndex cluster = new ClusterIndex(problem);
        List<PartitionDemand> demands = problem.partitions();
        requireDistinctPartitions(demands);
        FeasibilityFilter filter = new FeasibilityFilter(cluster);
        ActivationGroups groups = new ActivationGroups(demands, cluster);
        PartitionReconciler reconciler = new PartitionReconciler(cluster);

        int count = demands.size();
        FeasibleSet[] sets = new FeasibleSet[count];
        ReconciledPartition[] reconciled = new ReconciledPartition[count];
        long replicasAfter = 0;
        for (int i = 0; i < count; i++) {
            PartitionDemand d = demands.get(i);
            sets[i] = filter.forConstraint(d.placementConstraint());
            reconciled[i] = reconciler.reconcile(d, sets[i]);
            replicasAfter += reconciled[i].target();
        }

        double perNode = Math.max(1.0, (double) replicasAfter / Math.max(1, cluster.eligibleCount));
        NodeLoads loads = new NodeLoads(cluster, groups, REPLICA_COUNT_WEIGHT / perNode,
                (int) Math.min(Integer.MAX_VALUE / 4, replicasAfter));
        // Load of the replicas that stay; removed ones free their share within this same plan. Replicas on
        // draining nodes are left out: nothing new goes to those nodes, so their load cannot matter.
        double[][] loadVectors = new double[count][];
        for (int i = 0; i < count; i++) {
            PartitionDemand d = demands.get(i);
            loadVectors[i] = cluster.loadVector(d.load());
            int group = groups.idOf(d);
            for (int node : reconciled[i].keptNodes()) {
                loads.add(node, group, loadVectors[i]);
            }
            // Every Primary known before placing (ones that stay, promotions without a choice), so that a promotion
            // still open, whatever its partition's position in the input, avoids the nodes holding them.
            if (reconciled[i].hasPrimary()) {
                loads.primaries[reconciled[i].primaryNode()]++;
            }
        }

        List<ReplicaPlacement> placements = new ArrayList<>();
        List<ReplicaRemoval> removals = new ArrayList<>();
        List<RoleChange> roleChanges = new ArrayList<>();
        List<PlacementFailure> failures = new ArrayList<>();
        PartitionSpread spread = new PartitionSpread(cluster);
        NodeSelector selector = new NodeSelector(loads);
        FailureExplainer explainer = new FailureExplainer(cluster, loads);
        for (int i : mostConstrainedFirst(sets)) {
            PartitionDemand d = demands.get(i);
            ReconciledPartition r = reconciled[i];
            if (r.primaryPending()) {
                // Chosen only now so that the count sees every Primary that stays, the promotions before this one,
                // and the Primaries that new partitions earlier in the input were just given.
                r = reconciler.promote(r, loads.primaries);
                loads.primaries[r.primaryNode()]++;
            }
            spread.begin();
            for (int node : r.keptNodes()) {
                spread.add(node);
            }
            for (int node : r.avoidNodes()) {
                spread.avoid(node);
            }
            int missing = r.missing();
            int placed = 0;
            if (missing > 0) {
                int group = groups.idOf(d);
                placed = d.targetReplicas() == PartitionDemand.EVERY_NODE
                        ? placeEverywhere(d, r, sets[i], loads, spread, group, loadVectors[i], cluster, placements)
                        : placeMissing(d, r, sets[i], loads, spread, selector, group, loadVectors[i], cluster, placements);
            }
            PartitionReconciler.DrainRelease released = reconciler.releaseDraining(d, r, placed);
            removals.addAll(r.removals());
            removals.addAll(released.removals());
            addRoleChanges(r.roleChanges(), released.removals(), roleChanges);
            if (placed < missing) {
                int have = r.kept().size() + placed;
                String reason = explainer.explain(have, r.target(), sets[i], spread, groups.idOf(d), loadVectors[i]);
                if (!released.unreplaced().isEmpty()) {
                    reason += "; removed without a replacement from nodes being disabled: " + released.unreplaced().stream()
                            .map(x -> "replica " + x.replicaId() + " on " + x.node()).collect(Collectors.joining(", "));
                }
                failures.add(new PlacementFailure(d.service(), d.partitionId(), have, r.target(), reason));
            }
        }
        return new PlacementPlan(placements, removals, roleChanges, failures);
    }

    /**
     * The order partitions are placed in: those with the fewest feasible nodes first, input order among equals.
     * Placed last, a constrained partition could only go where the unconstrained ones already were, piling load on
     * its few nodes; placed first, the others fill the rest of the cluster around it (most-constrained-first, the
     * classic bin-packing order).
     */
    private static Integer[] mostConstrainedFirst(FeasibleSet[] sets) {
        Integer[] order = new Integer[sets.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingInt(i -> sets[i].size()));
        return order;
    }

    /** The partition's role changes, except for replicas this round removes (they would only be noise in the events). */
    private static void addRoleChanges(List<RoleChange> changes, List<ReplicaRemoval> removed, List<RoleChange> out) {
        if (removed.isEmpty()) {
            out.addAll(changes);
            return;
        }
        Set<Long> gone = new HashSet<>();
        removed.forEach(x -> gone.add(x.replicaId()));
        for (RoleChange c : changes) {
            if (!gone.contains(c.replicaId())) {
                out.add(c);
            }
        }
    }

    /** Places up to {@code missing} replicas one at a time, best node first; returns how many it placed. */
    private static int placeMissing(PartitionDemand d, ReconciledPartition r, FeasibleSet set, NodeLoads loads,
                                    PartitionSpread spread, NodeSelector selector, int group, double[] load,
                                    ClusterIndex cluster, List<ReplicaPlacement> out) {
        int missing = r.missing();
        int[] chosen = new int[missing];
        int placed = 0;
        while (placed < missing) {
            int node = set.size() == 0 ? -1 : selector.select(set, spread, group, load);
            if (node < 0) {
                // Loads only grow within a round, so a replica that fits nowhere now fits nowhere later either.
                break;
            }
            loads.add(node, group, load);
            spread.add(node);
            chosen[placed++] = node;
        }
        emit(d, r, chosen, placed, loads, cluster, out);
        return placed;
    }

    /** Instance count -1: one replica on every feasible node that has none yet and has room. */
    private static int placeEverywhere(PartitionDemand d, ReconciledPartition r, FeasibleSet set, NodeLoads loads,
                                       PartitionSpread spread, int group, double[] load, ClusterIndex cluster,
                                       List<ReplicaPlacement> out) {
        int[] chosen = new int[r.missing()];
        int placed = 0;
        for (int node : set.members) {
            if (placed == chosen.length) {
                break;
            }
            if (spread.excludes(node) || !loads.fits(node, loads.costOn(node, group, load))) {
                continue;
            }
            loads.add(node, group, load);
            spread.add(node);
            chosen[placed++] = node;
        }
        emit(d, r, chosen, placed, loads, cluster, out);
        return placed;
    }

    /**
     * Writes the placements with their roles. A stateful partition without a Primary gets one among the new
     * replicas, on the node with the fewest primaries (lowest name on ties), listed first; the rest are
     * ActiveSecondary. Where the Primary goes does not change capacity or spread: all replicas cost the same.
     */
    private static void emit(PartitionDemand d, ReconciledPartition r, int[] chosen, int count, NodeLoads loads,
                             ClusterIndex cluster, List<ReplicaPlacement> out) {
        if (d.kind() == ServiceKind.STATELESS) {
            for (int i = 0; i < count; i++) {
                out.add(new ReplicaPlacement(d.service(), d.partitionId(), cluster.name(chosen[i]), ReplicaRole.None));
            }
            return;
        }
        int primary = -1;
        if (!r.hasPrimary()) {
            for (int i = 0; i < count; i++) {
                int n = chosen[i];
                if (primary < 0 || loads.primaries[n] < loads.primaries[chosen[primary]]
                        || (loads.primaries[n] == loads.primaries[chosen[primary]] && n < chosen[primary])) {
                    primary = i;
                }
            }
        }
        if (primary >= 0) {
            loads.primaries[chosen[primary]]++;
            out.add(new ReplicaPlacement(d.service(), d.partitionId(), cluster.name(chosen[primary]), ReplicaRole.Primary));
        }
        for (int i = 0; i < count; i++) {
            if (i != primary) {
                out.add(new ReplicaPlacement(d.service(), d.partitionId(), cluster.name(chosen[i]), ReplicaRole.ActiveSecondary));
            }
        }
    }

    private static void requireDistinctPartitions(List<PartitionDemand> demands) {
        Set<UUID> seen = new HashSet<>(demands.size() * 2);
        for (PartitionDemand d : demands) {
            if (!seen.add(d.partitionId())) {
                throw new IllegalArgumentException("partition " + d.partitionId() + " of " + d.service()
                        + " appears twice in the placement problem");
            }
        }
    }
}
