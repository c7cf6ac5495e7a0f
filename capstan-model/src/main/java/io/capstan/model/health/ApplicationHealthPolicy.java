package io.capstan.model.health;

/**
 * How an application's health is aggregated from its children (Service Fabric's ApplicationHealthPolicy):
 * a set of children is Error when more than the given percent of them is unhealthy, and Warning when some
 * are unhealthy but within the limit. Defaults are Service Fabric's: 0 percent, warnings are not errors.
 */
public record ApplicationHealthPolicy(
        boolean considerWarningAsError,
        int maxPercentUnhealthyDeployedApplications,
        int maxPercentUnhealthyServices,
        int maxPercentUnhealthyPartitionsPerService,
        int maxPercentUnhealthyReplicasPerPartition) {

    public static final ApplicationHealthPolicy DEFAULT = new ApplicationHealthPolicy(false, 0, 0, 0, 0);

    public ApplicationHealthPolicy {
        HealthPolicies.checkPercent("maxPercentUnhealthyDeployedApplications", maxPercentUnhealthyDeployedApplications);
        HealthPolicies.checkPercent("maxPercentUnhealthyServices", maxPercentUnhealthyServices);
        HealthPolicies.checkPercent("maxPercentUnhealthyPartitionsPerService", maxPercentUnhealthyPartitionsPerService);
        HealthPolicies.checkPercent("maxPercentUnhealthyReplicasPerPartition", maxPercentUnhealthyReplicasPerPartition);
    }
}
