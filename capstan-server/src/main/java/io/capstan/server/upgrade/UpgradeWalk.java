package io.capstan.server.upgrade;

import io.capstan.model.Durations;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationVersion;
import io.capstan.model.upgrade.ApplicationUpgrade;
import io.capstan.model.upgrade.DomainState;
import io.capstan.model.upgrade.UpgradeDomainProgress;
import io.capstan.model.upgrade.UpgradeMode;
import io.capstan.model.upgrade.UpgradePolicy;
import io.capstan.model.upgrade.UpgradeState;
import io.capstan.model.upgrade.UpgradeWait;
import io.capstan.state.ClusterCommand.UpgradeStep;
import io.capstan.state.ClusterSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The next step of one application's upgrade, decided from the state and the time alone (so any leader decides
 * the same, and it is tested without a cluster). Rolling forward, each domain in walk order goes through: the
 * safety check, the start (Primaries handed over, nodes on the target), convergence, the health check wait, health
 * checks retried until healthy, and health held for the stable duration. Every wait is bounded: a domain that is not
 * stable within the health check retry timeout of its first failed check fails the upgrade, as do the optional
 * upgrade-domain and upgrade timeouts. Rolling back, domains go back in reverse order, each until it converged.
 */
public final class UpgradeWalk {

    private UpgradeWalk() {
    }

    /** The step to commit now, or null when the upgrade only waits (and what it waits for is already recorded). */
    public static UpgradeStep next(ClusterSnapshot state, ApplicationRecord app, Instant now) {
        ApplicationUpgrade u = app.upgrade();
        if (u == null) {
            return null;
        }
        return switch (u.state()) {
            case RollingForwardInProgress -> forward(state, app, u, now);
            case RollingBackInProgress -> back(state, app, u, now);
            default -> null;
        };
    }

    private static UpgradeStep forward(ClusterSnapshot state, ApplicationRecord app, ApplicationUpgrade u, Instant now) {
        UpgradePolicy policy = u.policy();
        if (policy.upgradeTimeout() != null && now.isAfter(u.startedAt().plus(policy.upgradeTimeout()))) {
            return fail("the upgrade did not complete within its upgrade timeout of " + Durations.format(policy.upgradeTimeout()),
                    u.healthEvaluations());
        }
        UpgradeDomainProgress current = u.currentDomain().orElse(null);
        if (current == null) {
            UpgradeDomainProgress pending = u.domains().stream().filter(d -> d.state() == DomainState.Pending).findFirst()
                    .orElse(null);
            if (pending == null) {
                return new UpgradeStep.Finish();
            }
            String unsafe = UpgradeSafetyCheck.unsafe(state, app.name(), pending.name());
            if (unsafe != null) {
                return failing(u, "SafetyCheck", unsafe, List.of(), now, "domain " + pending.name() + " could not start safely");
            }
            return new UpgradeStep.StartDomain(pending.name());
        }
        if (policy.upgradeDomainTimeout() != null && now.isAfter(current.startedAt().plus(policy.upgradeDomainTimeout()))) {
            return fail("domain " + current.name() + " did not complete within its upgrade domain timeout of "
                    + Durations.format(policy.upgradeDomainTimeout()), u.healthEvaluations());
        }
        String revision = new ApplicationVersion(u.toVersion(), u.toParameters()).revision();
        String missing = DomainConvergence.missing(state, app.name(), current.name(), revision);
        if (missing != null) {
            return failing(u, "Convergence", missing, List.of(), now, "domain " + current.name() + " did not converge");
        }
        if (policy.mode() != UpgradeMode.Monitored) {
            return new UpgradeStep.CompleteDomain(current.name(), "converged");
        }
        UpgradeWait w = u.waitingFor();
        Instant retrying = w == null ? null : w.retryingSince();
        if (w == null || w.condition().equals("Convergence") || w.condition().equals("SafetyCheck")) {
            if (!policy.healthCheckWait().isZero()) {
                return await("HealthCheckWait", "converged; health is checked after " + Durations.format(policy.healthCheckWait()),
                        now, retrying, List.of());
            }
        } else if (w.condition().equals("HealthCheckWait") && now.isBefore(w.since().plus(policy.healthCheckWait()))) {
            return null;
        }
        List<String> unhealthy = UpgradeHealthCheck.unhealthy(state, app.name(), policy, now);
        if (!unhealthy.isEmpty()) {
            return failing(u, "HealthCheck", unhealthy.get(0), unhealthy, now, "domain " + current.name() + " is not healthy");
        }
        if (w == null || !w.condition().equals("HealthStable")) {
            if (policy.healthCheckStable().isZero()) {
                return new UpgradeStep.CompleteDomain(current.name(), "healthy");
            }
            return await("HealthStable", "healthy; must stay so for " + Durations.format(policy.healthCheckStable()), now,
                    retrying, List.of());
        }
        if (!now.isBefore(w.since().plus(policy.healthCheckStable()))) {
            return new UpgradeStep.CompleteDomain(current.name(), "healthy for " + Durations.format(policy.healthCheckStable()));
        }
        return null;
    }

    private static UpgradeStep back(ClusterSnapshot state, ApplicationRecord app, ApplicationUpgrade u, Instant now) {
        UpgradeDomainProgress current = u.currentDomain().orElse(null);
        if (current == null) {
            List<UpgradeDomainProgress> domains = u.domains();
            for (int i = domains.size() - 1; i >= 0; i--) {
                if (domains.get(i).state().runsTarget()) {
                    return new UpgradeStep.RollBackDomain(domains.get(i).name());
                }
            }
            return new UpgradeStep.Finish();
        }
        String revision = new ApplicationVersion(u.fromVersion(), u.fromParameters()).revision();
        String missing = DomainConvergence.missing(state, app.name(), current.name(), revision);
        if (missing == null) {
            return new UpgradeStep.CompleteRollBackDomain(current.name());
        }
        return failing(u, "Convergence", missing, List.of(), now, rollbackBound(u.policy()), "the rollback bound", "domain " + current.name()
                + " did not go back to " + u.fromVersion());
    }

    /**
     * How long a domain may take to go back: rolling back is the way out, so it is not cut short by a retry timeout
     * tuned for a quick verdict on the new version: the upgrade domain timeout if given, else at least the default
     * health check retry timeout.
     */
    static Duration rollbackBound(UpgradePolicy policy) {
        if (policy.upgradeDomainTimeout() != null) {
            return policy.upgradeDomainTimeout();
        }
        return policy.healthCheckRetry().compareTo(UpgradePolicy.DEFAULT_HEALTH_CHECK_RETRY) > 0 ? policy.healthCheckRetry()
                : UpgradePolicy.DEFAULT_HEALTH_CHECK_RETRY;
    }

    /**
     * A failed check: recorded as what the domain waits for (keeping when the retrying began), and the upgrade's
     * failure once the retry timeout has passed since then.
     */
    private static UpgradeStep failing(ApplicationUpgrade u, String condition, String detail, List<String> evaluations,
            Instant now, String failure) {
        return failing(u, condition, detail, evaluations, now, u.policy().healthCheckRetry(), "the health check retry timeout",
                failure);
    }

    private static UpgradeStep failing(ApplicationUpgrade u, String condition, String detail, List<String> evaluations,
            Instant now, Duration bound, String boundName, String failure) {
        UpgradeWait w = u.waitingFor();
        Instant retrying = w == null || w.retryingSince() == null ? now : w.retryingSince();
        if (now.isAfter(retrying.plus(bound))) {
            return fail(failure + " within " + boundName + " of " + Durations.format(bound) + ": " + detail, evaluations);
        }
        if (w != null && w.condition().equals(condition) && w.detail().equals(detail)
                && Objects.equals(u.healthEvaluations(), evaluations)) {
            return null;
        }
        Instant since = w != null && w.condition().equals(condition) ? w.since() : now;
        return new UpgradeStep.Await(new UpgradeWait(condition, detail, since, retrying), evaluations);
    }

    private static UpgradeStep await(String condition, String detail, Instant now, Instant retrying, List<String> evaluations) {
        return new UpgradeStep.Await(new UpgradeWait(condition, detail, now, retrying), evaluations);
    }

    private static UpgradeStep fail(String reason, List<String> evaluations) {
        return new UpgradeStep.Fail(reason, evaluations);
    }

    /** True when {@code state} is one the walk acts on (the others wait for an operator or are final). */
    public static boolean walking(UpgradeState state) {
        return state == UpgradeState.RollingForwardInProgress || state == UpgradeState.RollingBackInProgress;
    }
}
