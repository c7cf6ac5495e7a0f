package io.capstan.server.upgrade;

import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthState;
import io.capstan.model.upgrade.UpgradePolicy;
import io.capstan.server.health.EntityHealth;
import io.capstan.server.health.HealthEvaluation;
import io.capstan.server.health.HealthEvaluator;
import io.capstan.server.health.HealthPolicyOverrides;
import io.capstan.state.ClusterSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The health an upgrade judges an application by: the application's aggregated health under the upgrade's
 * policy (the type's manifest policy unless the upgrade gave one). Error fails the check, as in Service Fabric;
 * Warning does not unless the policy counts warnings as errors.
 */
final class UpgradeHealthCheck {

    private UpgradeHealthCheck() {
    }

    /** The unhealthy evaluations, as text, flattened; empty when the application is healthy enough. */
    static List<String> unhealthy(ClusterSnapshot state, String application, UpgradePolicy policy, Instant now) {
        HealthPolicyOverrides overrides = policy == null || policy.healthPolicy() == null ? HealthPolicyOverrides.NONE
                : HealthPolicyOverrides.replacing(policy.healthPolicy());
        EntityHealth health = HealthEvaluator.forQuery(state, now, overrides)
                .evaluate(new HealthEntity.Application(application)).orElse(null);
        if (health == null || health.aggregatedHealthState() != HealthState.Error) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        flatten(health.unhealthyEvaluations(), "", out);
        return out.isEmpty() ? List.of("application " + application + " is in Error") : out;
    }

    private static void flatten(List<HealthEvaluation> evaluations, String indent, List<String> out) {
        for (HealthEvaluation e : evaluations) {
            if (out.size() >= 20) {
                return; // enough to act on; the rest is in `capstan health show`
            }
            out.add(indent + e.healthState() + " " + e.kind() + (e.entity() == null ? "" : " " + e.entity()) + ": "
                    + e.description());
            flatten(e.unhealthyEvaluations(), indent + "  ", out);
        }
    }
}
