package io.capstan.model.upgrade;

import io.capstan.model.health.ApplicationHealthPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How an upgrade walks and judges each domain (Service Fabric's monitoring policy). Defaults are Service
 * Fabric's: Monitored, health check wait 0 s, stable 120 s, retry 600 s; its upgrade-domain and upgrade timeouts
 * are unbounded, and so are ours by default (null), because the health check retry timeout already bounds every
 * wait of a monitored upgrade. Failure action Rollback (Service Fabric makes the operator name one).
 *
 * @param healthPolicy the application health policy the upgrade evaluates with; null for the type's manifest policy
 */
public record UpgradePolicy(
        UpgradeMode mode,
        FailureAction failureAction,
        Duration healthCheckWait,
        Duration healthCheckStable,
        Duration healthCheckRetry,
        Duration upgradeDomainTimeout,
        Duration upgradeTimeout,
        ApplicationHealthPolicy healthPolicy) {

    public static final Duration DEFAULT_HEALTH_CHECK_WAIT = Duration.ZERO;
    public static final Duration DEFAULT_HEALTH_CHECK_STABLE = Duration.ofSeconds(120);
    public static final Duration DEFAULT_HEALTH_CHECK_RETRY = Duration.ofSeconds(600);

    public static final UpgradePolicy DEFAULT = new UpgradePolicy(UpgradeMode.Monitored, FailureAction.Rollback,
            DEFAULT_HEALTH_CHECK_WAIT, DEFAULT_HEALTH_CHECK_STABLE, DEFAULT_HEALTH_CHECK_RETRY, null, null, null);

    public UpgradePolicy {
        mode = mode == null ? UpgradeMode.Monitored : mode;
        failureAction = failureAction == null ? FailureAction.Rollback : failureAction;
        healthCheckWait = healthCheckWait == null ? DEFAULT_HEALTH_CHECK_WAIT : healthCheckWait;
        healthCheckStable = healthCheckStable == null ? DEFAULT_HEALTH_CHECK_STABLE : healthCheckStable;
        healthCheckRetry = healthCheckRetry == null ? DEFAULT_HEALTH_CHECK_RETRY : healthCheckRetry;
    }

    /** What is wrong with this policy, field by field; empty when it can be used. */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        notNegative(out, "healthCheckWait", healthCheckWait);
        notNegative(out, "healthCheckStable", healthCheckStable);
        notNegative(out, "healthCheckRetry", healthCheckRetry);
        positiveOrAbsent(out, "upgradeDomainTimeout", upgradeDomainTimeout);
        positiveOrAbsent(out, "upgradeTimeout", upgradeTimeout);
        return out;
    }

    private static void notNegative(List<String> out, String field, Duration d) {
        if (d.isNegative()) {
            out.add(field + ": must not be negative");
        }
    }

    private static void positiveOrAbsent(List<String> out, String field, Duration d) {
        if (d != null && (d.isNegative() || d.isZero())) {
            out.add(field + ": must be positive (leave it out for no bound)");
        }
    }
}
