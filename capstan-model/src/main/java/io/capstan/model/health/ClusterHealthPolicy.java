package io.capstan.model.health;

/** How the cluster's health is aggregated from nodes and applications (Service Fabric's ClusterHealthPolicy). */
public record ClusterHealthPolicy(boolean considerWarningAsError, int maxPercentUnhealthyNodes,
                                  int maxPercentUnhealthyApplications) {

    public static final ClusterHealthPolicy DEFAULT = new ClusterHealthPolicy(false, 0, 0);

    public ClusterHealthPolicy {
        HealthPolicies.checkPercent("maxPercentUnhealthyNodes", maxPercentUnhealthyNodes);
        HealthPolicies.checkPercent("maxPercentUnhealthyApplications", maxPercentUnhealthyApplications);
    }
}
