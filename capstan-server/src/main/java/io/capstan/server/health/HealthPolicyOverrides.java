package io.capstan.server.health;

import io.capstan.model.health.ApplicationHealthPolicy;
import io.capstan.model.health.ClusterHealthPolicy;

/**
 * Policy fields a health query sets explicitly; null fields keep the policy in force (the cluster's
 * default, or the application type's manifest). Overriding field by field rather than replacing the
 * whole policy lets an operator relax one threshold without restating the others.
 */
public record HealthPolicyOverrides(
        Boolean considerWarningAsError,
        Integer maxPercentUnhealthyNodes,
        Integer maxPercentUnhealthyApplications,
        Integer maxPercentUnhealthyServices,
        Integer maxPercentUnhealthyPartitionsPerService,
        Integer maxPercentUnhealthyReplicasPerPartition,
        Integer maxPercentUnhealthyDeployedApplications) {

    public static final HealthPolicyOverrides NONE = new HealthPolicyOverrides(null, null, null, null, null, null, null);

    /** Overrides every application field with {@code policy}'s: the whole application policy is replaced. */
    public static HealthPolicyOverrides replacing(ApplicationHealthPolicy policy) {
        return new HealthPolicyOverrides(policy.considerWarningAsError(), null, null, policy.maxPercentUnhealthyServices(),
                policy.maxPercentUnhealthyPartitionsPerService(), policy.maxPercentUnhealthyReplicasPerPartition(),
                policy.maxPercentUnhealthyDeployedApplications());
    }

    public ClusterHealthPolicy applyTo(ClusterHealthPolicy p) {
        return new ClusterHealthPolicy(or(considerWarningAsError, p.considerWarningAsError()),
                or(maxPercentUnhealthyNodes, p.maxPercentUnhealthyNodes()),
                or(maxPercentUnhealthyApplications, p.maxPercentUnhealthyApplications()));
    }

    public ApplicationHealthPolicy applyTo(ApplicationHealthPolicy p) {
        return new ApplicationHealthPolicy(or(considerWarningAsError, p.considerWarningAsError()),
                or(maxPercentUnhealthyDeployedApplications, p.maxPercentUnhealthyDeployedApplications()),
                or(maxPercentUnhealthyServices, p.maxPercentUnhealthyServices()),
                or(maxPercentUnhealthyPartitionsPerService, p.maxPercentUnhealthyPartitionsPerService()),
                or(maxPercentUnhealthyReplicasPerPartition, p.maxPercentUnhealthyReplicasPerPartition()));
    }

    private static <T> T or(T override, T policy) {
        return override != null ? override : policy;
    }
}
