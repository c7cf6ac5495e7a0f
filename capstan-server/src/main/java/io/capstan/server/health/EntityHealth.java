package io.capstan.server.health;

import io.capstan.model.health.ApplicationHealthPolicy;
import io.capstan.model.health.ClusterHealthPolicy;
import io.capstan.model.health.HealthState;
import java.util.List;

/**
 * The health of one entity as {@code GET /v1/health} returns it: its aggregated state, the reports on
 * it (stored and derived), the unhealthy evaluations that explain the state, and its children per state.
 *
 * @param clusterHealthPolicy     the policy in force for the cluster and nodes (null for application entities)
 * @param applicationHealthPolicy the policy in force for entities of one application (null for the cluster and nodes)
 */
public record EntityHealth(
        String entity,
        HealthState aggregatedHealthState,
        List<HealthReportView> reports,
        List<HealthEvaluation> unhealthyEvaluations,
        List<ChildrenHealth> children,
        ClusterHealthPolicy clusterHealthPolicy,
        ApplicationHealthPolicy applicationHealthPolicy) {

    public EntityHealth {
        reports = List.copyOf(reports);
        unhealthyEvaluations = List.copyOf(unhealthyEvaluations);
        children = List.copyOf(children);
    }
}
