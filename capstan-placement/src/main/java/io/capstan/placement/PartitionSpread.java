package io.capstan.placement;

/**
 * Where the replicas of the partition being placed are: which nodes (one replica per node) and how
 * many per fault domain and upgrade domain. Arrays are shared across partitions and cleared after
 * each one, so tracking costs nothing per partition beyond its own replicas.
 */
final class PartitionSpread {

    private final ClusterIndex cluster;
    private final int[] perFaultDomain;
    private final int[] perUpgradeDomain;
    private final int[] mark;
    private final int[] avoidMark;
    private final int[] nodes;
    private int stamp;
    private int size;

    PartitionSpread(ClusterIndex cluster) {
        this.cluster = cluster;
        perFaultDomain = new int[Math.max(1, cluster.faultDomains.length)];
        perUpgradeDomain = new int[Math.max(1, cluster.upgradeDomains.length)];
        mark = new int[cluster.nodeCount];
        avoidMark = new int[cluster.nodeCount];
        nodes = new int[cluster.nodeCount];
    }

    /** Starts tracking a new partition. */
    void begin() {
        for (int i = 0; i < size; i++) {
            perFaultDomain[cluster.faultDomainOf[nodes[i]]] = 0;
            perUpgradeDomain[cluster.upgradeDomainOf[nodes[i]]] = 0;
        }
        size = 0;
        stamp++;
    }

    void add(int node) {
        mark[node] = stamp;
        nodes[size++] = node;
        perFaultDomain[cluster.faultDomainOf[node]]++;
        perUpgradeDomain[cluster.upgradeDomainOf[node]]++;
    }

    boolean hosts(int node) {
        return mark[node] == stamp;
    }

    /**
     * Keeps the partition's new replicas off {@code node} for this round without counting it in the spread:
     * a replica of the partition was just lost there, and if it crash-looped, a replacement there would only
     * crash again. A later round may use the node again.
     */
    void avoid(int node) {
        avoidMark[node] = stamp;
    }

    boolean avoids(int node) {
        return avoidMark[node] == stamp;
    }

    /** Whether a new replica of the partition may not go to {@code node} (it hosts one, or is avoided). */
    boolean excludes(int node) {
        return mark[node] == stamp || avoidMark[node] == stamp;
    }

    int size() {
        return size;
    }

    /**
     * How much a new replica in this cell worsens the spread: replicas already in its fault domain plus
     * in its upgrade domain. Minimising it picks a domain at the current minimum in each dimension when
     * one exists, which keeps Service Fabric's max-difference-1 rule.
     */
    int penalty(int faultDomain, int upgradeDomain) {
        return perFaultDomain[faultDomain] + perUpgradeDomain[upgradeDomain];
    }

    int penaltyOf(int node) {
        return penalty(cluster.faultDomainOf[node], cluster.upgradeDomainOf[node]);
    }
}
