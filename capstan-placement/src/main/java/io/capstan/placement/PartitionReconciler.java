package io.capstan.placement;

import io.capstan.model.ServiceKind;
import io.capstan.model.cluster.ReplicaRole;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares what a partition has with what it wants (the "reconcile" step): keeps healthy replicas
 * where they are (fewer moves), removes lost ones and ones on nodes that may no longer host them,
 * scales down excess (secondaries first, from the most crowded domains), and repairs roles so a
 * stateful partition has exactly one Primary (failing over to the most up-to-date replica, and moving
 * it off a draining node as soon as a Ready secondary elsewhere can take over).
 *
 * <p>Replicas on draining nodes are decided in two steps: {@link #reconcile} keeps them aside (they do not
 * count toward the target, so replacements get placed), and once the round knows how many replacements it
 * could place, {@link #releaseDraining} says which of them may go.
 *
 * <p>A promotion is decided in two steps too when the failover order ties several replicas: {@link #reconcile}
 * returns them as candidates, and the planner, which knows where every partition's Primary is, has
 * {@link #promote} pick the one on the node with the fewest Primaries (a partition's own order cannot see that,
 * and the lowest id alone piles Primaries onto the nodes holding the oldest replicas).
 */
final class PartitionReconciler {

    private static final int[] NO_NODES = new int[0];
    private static final String NO_REPLACEMENT_PER_NODE = "; one replica per node, no replacement needed";

    private final ClusterIndex cluster;

    PartitionReconciler(ClusterIndex cluster) {
        this.cluster = cluster;
    }

    /** Draining replicas released by {@link #releaseDraining}; {@code unreplaced} are the ones removed without a replacement. */
    record DrainRelease(List<ReplicaRemoval> removals, List<ExistingReplica> unreplaced) {
        static final DrainRelease NONE = new DrainRelease(List.of(), List.of());
    }

    ReconciledPartition reconcile(PartitionDemand demand, FeasibleSet set) {
        boolean stateful = demand.kind() == ServiceKind.STATEFUL;
        // -1 means one per eligible node passing the constraint; an unreadable constraint falls back to all eligible nodes.
        int target = demand.targetReplicas() != PartitionDemand.EVERY_NODE ? demand.targetReplicas()
                : set.error == null ? set.size() : cluster.eligibleCount;

        if (demand.existing().isEmpty()) {
            // The common case at scale (a new partition): nothing to compare, allocate nothing.
            return new ReconciledPartition(List.of(), NO_NODES, List.of(), 0, List.of(), List.of(), target, -1, NO_NODES, List.of());
        }
        List<ReplicaRemoval> removals = new ArrayList<>();
        List<ExistingReplica> candidates = new ArrayList<>(demand.existing());
        // Primaries first, so that of two replicas on one node the Primary survives; then by id for determinism.
        candidates.sort(Comparator.comparing((ExistingReplica r) -> r.role() != ReplicaRole.Primary)
                .thenComparingLong(ExistingReplica::replicaId));
        List<ExistingReplica> kept = new ArrayList<>();
        List<Integer> keptNodes = new ArrayList<>();
        List<ExistingReplica> draining = new ArrayList<>();
        List<Integer> avoid = new ArrayList<>();
        Map<Integer, ExistingReplica> onNode = new HashMap<>();
        for (ExistingReplica r : candidates) {
            int node = cluster.nodeIndex(r.node());
            String reason = null;
            if (!r.healthy()) {
                reason = "replica lost (unhealthy) on node '" + r.node() + "'";
                if (node >= 0) {
                    avoid.add(node);
                }
            } else if (node < 0) {
                reason = "node '" + r.node() + "' is not in the cluster";
            } else if (!cluster.eligible[node] && !cluster.draining[node]) {
                reason = "node '" + r.node() + "' is down or disabled";
            } else if (!set.constraintOk[node]) {
                reason = "node '" + r.node() + "' does not satisfy placement constraint '" + set.constraintText + "'";
            } else {
                ExistingReplica other = onNode.get(node);
                if (other != null) {
                    reason = "replica " + other.replicaId() + " of this partition is already on node '" + r.node() + "'";
                }
            }
            if (reason != null) {
                removals.add(new ReplicaRemoval(r.replicaId(), reason));
            } else if (target == 0 && cluster.draining[node]) {
                removals.add(new ReplicaRemoval(r.replicaId(), disabling(r) + (demand.targetReplicas() == PartitionDemand.EVERY_NODE
                        ? NO_REPLACEMENT_PER_NODE : "; target 0 needs no replacement")));
            } else {
                onNode.put(node, r);
                if (cluster.draining[node]) {
                    draining.add(r);
                } else {
                    kept.add(r);
                    keptNodes.add(node);
                }
            }
        }

        // Choose the Primary (or the replicas tied for it) before trimming, so scale-down never removes it (or all of them).
        ExistingReplica primary = null;
        ExistingReplica demoted = null;
        List<ExistingReplica> tied = List.of();
        if (stateful && target > 0) {
            ExistingReplica keptPrimary = lowestIdPrimary(kept);
            ExistingReplica drainingPrimary = lowestIdPrimary(draining);
            if (keptPrimary != null) {
                primary = keptPrimary;
            } else if (drainingPrimary != null) {
                // Swap now rather than when the node is finally emptied: a planned handover loses nothing, a
                // removal of the Primary would be a failover. Only to a Ready replica, which can serve at once.
                List<ExistingReplica> ready = new ArrayList<>();
                for (ExistingReplica r : kept) {
                    if (r.ready()) {
                        ready.add(r);
                    }
                }
                tied = bestForFailover(ready, List.of());
                if (tied.isEmpty()) {
                    primary = drainingPrimary;
                } else {
                    demoted = drainingPrimary;
                }
            } else {
                tied = bestForFailover(kept, draining);
            }
        }

        if (kept.size() > target) {
            trimExcess(kept, keptNodes, primary, tied, target, removals);
            tied = stillThere(tied, kept, draining);
        }
        int[] nodes = keptNodes.stream().mapToInt(Integer::intValue).toArray();
        int[] avoidNodes = avoid.isEmpty() ? NO_NODES : avoid.stream().mapToInt(Integer::intValue).toArray();
        if (tied.size() > 1) {
            // Which of them depends on the Primaries of every partition: the planner decides (see promote).
            return new ReconciledPartition(List.copyOf(kept), nodes, List.copyOf(draining), 0, removals, List.of(),
                    target, -1, avoidNodes, List.copyOf(tied));
        }
        if (tied.size() == 1) {
            primary = tied.get(0);
        }
        return withPrimary(stateful, kept, nodes, draining, removals, target, avoidNodes, primary, demoted);
    }

    /**
     * Finishes a partition whose Primary {@link #reconcile} left open ({@link ReconciledPartition#primaryPending()}):
     * promotes the candidate on the node with the fewest Primaries in {@code primariesPerNode}, the lowest id on
     * ties. The candidates are equally good for the partition; spreading Primaries means one node failure costs
     * fewer partitions their writes at once. The caller accounts the promoted replica's node.
     */
    ReconciledPartition promote(ReconciledPartition pending, int[] primariesPerNode) {
        ExistingReplica chosen = null;
        int fewest = Integer.MAX_VALUE;
        for (ExistingReplica c : pending.primaryCandidates()) {
            int count = primariesPerNode[cluster.nodeIndex(c.node())];
            if (count < fewest) {
                chosen = c;
                fewest = count;
            }
        }
        // A pending partition has no Primary among its kept replicas, so one on a draining node is the one handing over.
        return withPrimary(true, pending.kept(), pending.keptNodes(), pending.draining(), pending.removals(), pending.target(),
                pending.avoidNodes(), chosen, lowestIdPrimary(pending.draining()));
    }

    /** The partition once its Primary is known ({@code null}: none): role changes, and the draining replicas in the order they are kept. */
    private ReconciledPartition withPrimary(boolean stateful, List<ExistingReplica> kept, int[] keptNodes,
                                            List<ExistingReplica> drainingReplicas, List<ReplicaRemoval> removals, int target,
                                            int[] avoidNodes, ExistingReplica primary, ExistingReplica demoted) {
        // The Primary (on a draining node) and the Primary just demoted stay this round whatever it places.
        ExistingReplica keepFirst = demoted;
        for (ExistingReplica r : drainingReplicas) {
            if (r == primary) {
                keepFirst = r;
            }
        }
        ExistingReplica first = keepFirst;
        List<ExistingReplica> draining = new ArrayList<>(drainingReplicas);
        draining.sort(Comparator.comparing((ExistingReplica r) -> r != first)
                .thenComparing(r -> !r.ready())
                .thenComparing(Comparator.comparingLong(ExistingReplica::progress).reversed())
                .thenComparingLong(ExistingReplica::replicaId));
        int protectedDraining = first == null ? 0 : 1;

        List<RoleChange> roleChanges = new ArrayList<>();
        List<ExistingReplica> byId = new ArrayList<>(kept);
        byId.addAll(draining);
        byId.sort(Comparator.comparingLong(ExistingReplica::replicaId));
        for (ExistingReplica r : byId) {
            ReplicaRole wanted = !stateful ? ReplicaRole.None
                    : r == primary ? ReplicaRole.Primary : ReplicaRole.ActiveSecondary;
            if (r.role() != wanted) {
                roleChanges.add(new RoleChange(r.replicaId(), wanted));
            }
        }
        int primaryNode = primary == null ? -1 : cluster.nodeIndex(primary.node());
        return new ReconciledPartition(List.copyOf(kept), keptNodes, List.copyOf(draining), protectedDraining, removals,
                roleChanges, target, primaryNode, avoidNodes, List.of());
    }

    /**
     * Decides which replicas on draining nodes may go, once the round has placed {@code placed} of the
     * {@link ReconciledPartition#missing()} replicas. A draining replica stands in for a replica the partition
     * lacks; it goes when the partition has {@code target} Ready replicas on other nodes, or when no other node
     * could take its replacement: then it is removed without one, so that disabling a node always completes
     * (the partition is left short, and the failure says so). With a -1 target (one per node) the draining
     * node is not part of the target, so its replica goes at once. Either way the Primary, or the Primary this
     * round demoted, stays until a later round, unless the partition would keep nothing else.
     */
    DrainRelease releaseDraining(PartitionDemand demand, ReconciledPartition r, int placed) {
        List<ExistingReplica> draining = r.draining();
        if (draining.isEmpty()) {
            return DrainRelease.NONE;
        }
        List<ExistingReplica> readyNewestFirst = new ArrayList<>();
        for (ExistingReplica k : r.kept()) {
            if (k.ready()) {
                readyNewestFirst.add(k);
            }
        }
        // The newest Ready replicas are most likely the replacements; they name them in the reasons.
        readyNewestFirst.sort(Comparator.comparingLong(ExistingReplica::replicaId).reversed());
        boolean everyNode = demand.targetReplicas() == PartitionDemand.EVERY_NODE;
        int count = draining.size();
        // Slots of the target without a Ready replica: a draining replica stands in for each, except where no
        // replica at all could be placed this round (nothing will come to relieve it there).
        int slotsNotReady = everyNode ? 0 : Math.max(0, r.target() - readyNewestFirst.size());
        int unplaceable = r.missing() - placed;
        int keep = Math.min(count, Math.max(0, slotsNotReady - unplaceable));
        boolean nothingElse = r.kept().isEmpty() && placed == 0;
        keep = Math.max(keep, nothingElse ? 0 : r.protectedDraining());
        // Never below the minimum of Ready replicas to finish a drain: that loses a stateful partition's data
        // (Service Fabric's safety check blocks such a deactivation too). The drain waits for capacity instead.
        int belowMinimum = Math.max(0, demand.minReplicas() - readyNewestFirst.size());
        keep = Math.max(keep, Math.min(count, belowMinimum));

        List<ReplicaRemoval> removals = new ArrayList<>();
        List<ExistingReplica> unreplaced = new ArrayList<>();
        int replacedByReady = Math.max(0, count - slotsNotReady);
        for (int i = keep; i < count; i++) {
            ExistingReplica d = draining.get(i);
            int nth = i - keep;
            String reason;
            if (everyNode) {
                reason = disabling(d) + NO_REPLACEMENT_PER_NODE;
            } else if (nth < replacedByReady) {
                reason = nth < readyNewestFirst.size()
                        ? disabling(d) + "; replacement ready on " + readyNewestFirst.get(nth).node()
                        : disabling(d) + "; the target of " + r.target() + " is met by Ready replicas on other nodes";
            } else {
                reason = disabling(d) + " and no other node can take a replacement; removed without one so the drain can complete";
                unreplaced.add(d);
            }
            removals.add(new ReplicaRemoval(d.replicaId(), reason));
        }
        return new DrainRelease(removals, unreplaced);
    }

    private static String disabling(ExistingReplica r) {
        return "node '" + r.node() + "' is being disabled";
    }

    private static ExistingReplica lowestIdPrimary(List<ExistingReplica> replicas) {
        ExistingReplica primary = null;
        for (ExistingReplica r : replicas) {
            if (r.role() == ReplicaRole.Primary && (primary == null || r.replicaId() < primary.replicaId())) {
                primary = r;
            }
        }
        return primary;
    }

    /**
     * The replicas tied at the top of the failover order, lowest id first: most progress, since promoting a
     * replica that is behind loses what it missed; then Ready over InBuild (with no progress reported, as today,
     * this decides); then one not being drained (it would have to hand over again). Among them the planner
     * prefers the node with the fewest Primaries, then the lowest id ({@link #promote}).
     */
    private static List<ExistingReplica> bestForFailover(List<ExistingReplica> kept, List<ExistingReplica> draining) {
        List<ExistingReplica> best = new ArrayList<>();
        boolean bestDraining = false;
        for (int i = 0; i < kept.size() + draining.size(); i++) {
            boolean isDraining = i >= kept.size();
            ExistingReplica r = isDraining ? draining.get(i - kept.size()) : kept.get(i);
            int c = best.isEmpty() ? 1 : compareFailover(r, isDraining, best.get(0), bestDraining);
            if (c > 0) {
                best.clear();
                bestDraining = isDraining;
            }
            if (c >= 0) {
                best.add(r);
            }
        }
        best.sort(Comparator.comparingLong(ExistingReplica::replicaId));
        return best;
    }

    /** Positive when {@code a} is the better one to promote, 0 when the failover order ties them. */
    private static int compareFailover(ExistingReplica a, boolean aDraining, ExistingReplica b, boolean bDraining) {
        if (a.progress() != b.progress()) {
            return Long.compare(a.progress(), b.progress());
        }
        if (a.ready() != b.ready()) {
            return a.ready() ? 1 : -1;
        }
        return Boolean.compare(bDraining, aDraining);
    }

    /** The {@code candidates} that trimming left in {@code kept} or that are draining (those it never trims). */
    private static List<ExistingReplica> stillThere(List<ExistingReplica> candidates, List<ExistingReplica> kept,
                                                    List<ExistingReplica> draining) {
        List<ExistingReplica> out = new ArrayList<>(candidates.size());
        for (ExistingReplica c : candidates) {
            if (containsSame(kept, c) || containsSame(draining, c)) {
                out.add(c);
            }
        }
        return out;
    }

    private static boolean containsSame(List<ExistingReplica> list, ExistingReplica r) {
        for (ExistingReplica x : list) {
            if (x == r) {
                return true;
            }
        }
        return false;
    }

    /**
     * Removes {@code kept.size() - target} replicas: never the Primary (unless target is 0), nor the last of the
     * {@code candidates} tied for a promotion still open, and among the rest the one whose fault + upgrade
     * domains hold the most replicas, newest (highest id) first on ties.
     */
    private void trimExcess(List<ExistingReplica> kept, List<Integer> keptNodes, ExistingReplica primary,
                            List<ExistingReplica> candidates, int target, List<ReplicaRemoval> removals) {
        int candidatesLeft = candidates.size();
        String reason = "scale down: " + kept.size() + " healthy replicas, target " + target;
        int[] perFd = new int[cluster.faultDomains.length];
        int[] perUd = new int[cluster.upgradeDomains.length];
        for (int node : keptNodes) {
            perFd[cluster.faultDomainOf[node]]++;
            perUd[cluster.upgradeDomainOf[node]]++;
        }
        while (kept.size() > target) {
            int victim = -1;
            int victimCrowd = -1;
            for (int i = 0; i < kept.size(); i++) {
                ExistingReplica r = kept.get(i);
                if ((r == primary && target > 0) || (candidatesLeft == 1 && containsSame(candidates, r))) {
                    continue;
                }
                int node = keptNodes.get(i);
                int crowd = perFd[cluster.faultDomainOf[node]] + perUd[cluster.upgradeDomainOf[node]];
                if (victim < 0 || crowd > victimCrowd
                        || (crowd == victimCrowd && r.replicaId() > kept.get(victim).replicaId())) {
                    victim = i;
                    victimCrowd = crowd;
                }
            }
            int node = keptNodes.get(victim);
            perFd[cluster.faultDomainOf[node]]--;
            perUd[cluster.upgradeDomainOf[node]]--;
            if (containsSame(candidates, kept.get(victim))) {
                candidatesLeft--;
            }
            removals.add(new ReplicaRemoval(kept.get(victim).replicaId(), reason));
            kept.remove(victim);
            keptNodes.remove(victim);
        }
    }
}
