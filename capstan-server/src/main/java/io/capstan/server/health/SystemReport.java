package io.capstan.server.health;

import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import io.capstan.model.health.HealthState;
import java.time.Instant;

/**
 * A report Capstan derives from the state (source {@code System.*}); never stored, so it cannot go
 * stale: it becomes a {@link HealthReport} on its entity each time health is read.
 */
public record SystemReport(String sourceId, String property, HealthState healthState, String description) {

    /**
     * As a report on {@code entity}. The sequence number is the state index it was derived at, so it only
     * grows; {@code at} is when the state last changed in this respect, when known.
     */
    public HealthReport on(HealthEntity entity, long sequenceNumber, Instant at) {
        return new HealthReport(entity, sourceId, property, healthState, description, null, false, sequenceNumber, at);
    }
}
