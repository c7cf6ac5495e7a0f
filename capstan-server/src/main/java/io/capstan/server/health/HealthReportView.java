package io.capstan.server.health;

import io.capstan.model.Durations;
import io.capstan.model.health.HealthReport;
import io.capstan.model.health.HealthState;
import java.time.Instant;

/**
 * A report as the API shows it: what was reported, when it expires, and the state it counts as
 * ({@code effectiveHealthState}: Error once expired without removeWhenExpired, or a Warning under
 * considerWarningAsError).
 *
 * @param timeToLive as written in requests ({@code 30s}), null when the report never expires
 */
public record HealthReportView(
        String entity,
        String sourceId,
        String property,
        HealthState healthState,
        HealthState effectiveHealthState,
        String description,
        long sequenceNumber,
        Instant reportedAt,
        String timeToLive,
        Instant expiresAt,
        boolean removeWhenExpired,
        boolean expired) {

    public static HealthReportView of(HealthReport r, Instant now, HealthState effective) {
        return new HealthReportView(r.entity().text(), r.sourceId(), r.property(), r.healthState(), effective,
                r.description(), r.sequenceNumber(), r.reportedAt(),
                r.timeToLive() == null ? null : Durations.format(r.timeToLive()), r.expiresAt(), r.removeWhenExpired(),
                r.expiredAt(now));
    }
}
