package io.capstan.model.upgrade;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * An application's upgrade, kept in its record in the replicated state so it survives any server: the versions
 * and parameters it goes from and to, its policy, the domains in walk order with their progress, what the
 * current domain waits for, and why it failed. {@code revision} counts its changes: a controller's step names the
 * revision it was computed from, so a step from a stale leader (or raced by an operator) is refused.
 *
 * @param failureReason why health or a timeout failed the walk (kept through the rollback); "" when none did
 * @param healthEvaluations the unhealthy evaluations that blocked or failed it, as text
 */
public record ApplicationUpgrade(
        String fromVersion,
        Map<String, String> fromParameters,
        String toVersion,
        Map<String, String> toParameters,
        UpgradePolicy policy,
        UpgradeState state,
        List<UpgradeDomainProgress> domains,
        UpgradeWait waitingFor,
        String failureReason,
        List<String> healthEvaluations,
        boolean forced,
        Instant startedAt,
        Instant completedAt,
        long revision) {

    public ApplicationUpgrade {
        fromParameters = fromParameters == null ? Map.of() : Map.copyOf(fromParameters);
        toParameters = toParameters == null ? Map.of() : Map.copyOf(toParameters);
        domains = domains == null ? List.of() : List.copyOf(domains);
        failureReason = failureReason == null ? "" : failureReason;
        healthEvaluations = healthEvaluations == null ? List.of() : List.copyOf(healthEvaluations);
    }

    /** Whether a node of {@code upgradeDomain} runs the target version now. */
    public boolean targetRunsIn(String upgradeDomain) {
        if (!state.isActive()) {
            return false;
        }
        for (UpgradeDomainProgress d : domains) {
            if (d.name().equals(upgradeDomain)) {
                return d.state().runsTarget();
            }
        }
        return false;
    }

    /** The domain being upgraded or rolled back now, if any. */
    public Optional<UpgradeDomainProgress> currentDomain() {
        return domains.stream().filter(d -> d.state() == DomainState.InProgress || d.state() == DomainState.RollingBack)
                .findFirst();
    }

    public ApplicationUpgrade withState(UpgradeState next) {
        return new ApplicationUpgrade(fromVersion, fromParameters, toVersion, toParameters, policy, next, domains, waitingFor,
                failureReason, healthEvaluations, forced, startedAt, completedAt, revision + 1);
    }

    public ApplicationUpgrade withDomain(String name, UnaryOperator<UpgradeDomainProgress> change) {
        List<UpgradeDomainProgress> next = new ArrayList<>(domains.size());
        for (UpgradeDomainProgress d : domains) {
            next.add(d.name().equals(name) ? change.apply(d) : d);
        }
        return new ApplicationUpgrade(fromVersion, fromParameters, toVersion, toParameters, policy, state, next, null,
                failureReason, healthEvaluations, forced, startedAt, completedAt, revision + 1);
    }

    public ApplicationUpgrade withWait(UpgradeWait next, List<String> evaluations) {
        return new ApplicationUpgrade(fromVersion, fromParameters, toVersion, toParameters, policy, state, domains, next,
                failureReason, evaluations, forced, startedAt, completedAt, revision + 1);
    }

    public ApplicationUpgrade failed(String reason, List<String> evaluations) {
        return new ApplicationUpgrade(fromVersion, fromParameters, toVersion, toParameters, policy, state, domains, null,
                reason, evaluations, forced, startedAt, completedAt, revision + 1);
    }

    public ApplicationUpgrade completed(UpgradeState finalState, Instant at) {
        return new ApplicationUpgrade(fromVersion, fromParameters, toVersion, toParameters, policy, finalState, domains,
                null, failureReason, healthEvaluations, forced, startedAt, at, revision + 1);
    }
}
