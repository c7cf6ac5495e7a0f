package io.capstan.model.upgrade;

import java.time.Instant;

/**
 * What the current upgrade domain waits for, named so an operator can act: {@code condition} is one of
 * SafetyCheck (a partition would keep too few Ready replicas elsewhere), Convergence (a replica or package not yet
 * on the version), HealthCheckWait, HealthCheck (an unhealthy evaluation, retried), HealthStable, Resume.
 *
 * @param since         when this condition began
 * @param retryingSince when the domain first failed a check (not converged, unhealthy, unsafe); the domain fails
 *                      when it has not become stable within the health check retry timeout of it; null before that
 */
public record UpgradeWait(String condition, String detail, Instant since, Instant retryingSince) {

    public UpgradeWait {
        detail = detail == null ? "" : detail;
    }
}
