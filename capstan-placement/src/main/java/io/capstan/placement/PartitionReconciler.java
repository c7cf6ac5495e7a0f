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
 * stateful partition has exactly one Primary.
 */
final class PartitionReconciler {

    private static final int[] NO_NODES = new int[0];

    private final ClusterIndex cluster;

    PartitionReconciler(ClusterIndex cluster) {
        this.cluster = cluster;
    }

    ReconciledPartition reconcile(PartitionDemand demand, FeasibleSet set) {
        boolean stateful = demand.kind() == ServiceKind.STATEFUL;
        // -1 means one per eligible node passing the constraint; an unreadable constraint falls back to all eligible nodes.
        int target = demand.targetReplicas() != PartitionDemand.EVERY_NODE ? demand.targetReplicas()
                : set.error == null ? set.size() : cluster.eligibleCount;

        if (demand.existing().isEmpty()) {
            // The common case at scale (a new partition): nothing to compare, allocate nothing.
            return new ReconciledPartition(List.of(), NO_NODES, List.of(), List.of(), target, -1);
        }
        List<ReplicaRemoval> removals = new ArrayList<>();
        List<ExistingReplica> candidates = new ArrayList<>(demand.existing());
        // Primaries first, so that of two replicas on one node the Primary survives; then by id for determinism.
        candidates.sort(Comparator.comparing((ExistingReplica r) -> r.role() != ReplicaRole.Primary)
                .thenComparingLong(ExistingReplica::replicaId));
        List<ExistingReplica> kept = new ArrayList<>();
        List<Integer> keptNodes = new ArrayList<>();
        Map<Integer, ExistingReplica> keptOnNode = new HashMap<>();
        for (ExistingReplica r : candidates) {
            int node = cluster.nodeIndex(r.node());
            String reason = null;
            if (!r.healthy()) {
                reason = "replica lost (unhealthy) on node '" + r.node() + "'";
            } else if (node < 0) {
                reason = "node '" + r.node() + "' is not in the cluster";
            } else if (!cluster.eligible[node]) {
                reason = "node '" + r.node() + "' is down or disabled";
            } else if (!set.constraintOk[node]) {
                reason = "node '" + r.node() + "' does not satisfy placement constraint '" + set.constraintText + "'";
            } else {
                ExistingReplica other = keptOnNode.get(node);
                if (other != null) {
                    reason = "replica " + other.replicaId() + " of this partition is already on node '" + r.node() + "'";
                }
            }
            if (reason != null) {
                removals.add(new ReplicaRemoval(r.replicaId(), reason));
            } else {
                kept.add(r);
                keptNodes.add(node);
                keptOnNode.put(node, r);
            }
        }

        // Choose the Primary before trimming, so scale-down never removes it.
        ExistingReplica primary = null;
        if (stateful) {
            for (ExistingReplica r : kept) {
                if (r.role() == ReplicaRole.Primary && (primary == null || r.replicaId() < primary.replicaId())) {
                    primary = r;
                }
            }
            if (primary == null) {
                for (ExistingReplica r : kept) {
                    if (primary == null || r.replicaId() < primary.replicaId()) {
                        primary = r;
                    }
                }
            }
        }

        if (kept.size() > target) {
            trimExcess(kept, keptNodes, primary, target, removals);
            if (target == 0) {
                primary = null;
            }
        }

        List<RoleChange> roleChanges = new ArrayList<>();
        List<ExistingReplica> keptById = new ArrayList<>(kept);
        keptById.sort(Comparator.comparingLong(ExistingReplica::replicaId));
        for (ExistingReplica r : keptById) {
            ReplicaRole wanted = !stateful ? ReplicaRole.None
                    : r == primary ? ReplicaRole.Primary : ReplicaRole.ActiveSecondary;
            if (r.role() != wanted) {
                roleChanges.add(new RoleChange(r.replicaId(), wanted));
            }
        }
        int[] nodes = keptNodes.stream().mapToInt(Integer::intValue).toArray();
        int primaryNode = primary == null ? -1 : nodes[kept.indexOf(primary)];
        return new ReconciledPartition(List.copyOf(kept), nodes, removals, roleChanges, target, primaryNode);
    }

    /**
     * Removes {@code kept.size() - target} replicas: never the Primary (unless target is 0), and among
     * the rest the one whose fault + upgrade domains hold the most replicas, newest (highest id) first on ties.
     */
    private void trimExcess(List<ExistingReplica> kept, List<Integer> keptNodes, ExistingReplica primary, int target,
                            List<ReplicaRemoval> removals) {
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
                if (r == primary && target > 0) {
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
            removals.add(new ReplicaRemoval(kept.get(victim).replicaId(), reason));
            kept.remove(victim);
            keptNodes.remove(victim);
        }
    }
}
