package io.capstan.model.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One report about one property of an entity, as in Service Fabric: the latest report of a
 * (sourceId, property) pair replaces the previous one unless its sequence number is older.
 *
 * @param timeToLive        null = never expires
 * @param removeWhenExpired true: the report disappears when it expires; false: an expired report
 *                          counts as Error, so a watchdog that stops reporting shows up as unhealthy
 * @param reportedAt        stamped by the server that accepted the report
 */
public record HealthReport(
        HealthEntity entity,
        String sourceId,
        String property,
        HealthState healthState,
        String description,
        Duration timeToLive,
        boolean removeWhenExpired,
        long sequenceNumber,
        Instant reportedAt) {

    /** Reports whose source starts with this come from Capstan itself; clients may not send them. */
    public static final String SYSTEM_SOURCE_PREFIX = "System.";

    public HealthReport {
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(sourceId, "sourceId");
        Objects.requireNonNull(property, "property");
        Objects.requireNonNull(healthState, "healthState");
        description = description == null ? "" : description;
    }

    /** When the report expires, or null when it never does. */
    public Instant expiresAt() {
        return timeToLive == null ? null : reportedAt.plus(timeToLive);
    }

    /** Whether the report's time to live has passed at {@code now}. */
    public boolean expiredAt(Instant now) {
        Instant expires = expiresAt();
        return expires != null && !now.isBefore(expires);
    }

    /** The key under which the report replaces an earlier one. */
    public String key() {
        return sourceId + "\u0000" + property;
    }
}
