package io.capstan.server.health;

import io.capstan.model.health.HealthState;
import java.util.List;

/**
 * One node of the tree explaining an aggregated state (Service Fabric's unhealthy evaluations): a
 * report ({@code Event}), a set of children ({@code Replicas}, {@code Partitions}, ...) or one child
 * entity ({@code Replica}, {@code Partition}, ...), each with what explains it below.
 *
 * @param entity the child entity's text for entity evaluations, null otherwise
 */
public record HealthEvaluation(
        String kind,
        HealthState healthState,
        String description,
        String entity,
        List<HealthEvaluation> unhealthyEvaluations) {

    public HealthEvaluation {
        unhealthyEvaluations = List.copyOf(unhealthyEvaluations);
    }
}
