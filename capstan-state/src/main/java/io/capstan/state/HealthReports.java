package io.capstan.state;

import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import io.capstan.model.health.HealthState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The health reports clients sent, by entity and (source, property), as part of the replicated state.
 * Reports from Capstan itself are not kept here: they are derived from the state when health is read.
 */
final class HealthReports {

    private final TreeMap<HealthEntity, TreeMap<String, HealthReport>> byEntity = new TreeMap<>();

    /** Why {@code report} cannot be stored, or null; {@code exists} says whether its entity is in the cluster. */
    Rejection check(HealthReport report, Predicate<HealthEntity> exists) {
        if (report.sourceId().isBlank() || report.property().isBlank()) {
            return Rejection.invalid("a health report needs a sourceId and a property");
        }
        if (report.sourceId().startsWith(HealthReport.SYSTEM_SOURCE_PREFIX)) {
            return Rejection.invalid("sourceId '" + report.sourceId() + "' starts with '" + HealthReport.SYSTEM_SOURCE_PREFIX
                    + "', which is reserved for Capstan's own reports; use a source naming your tool, e.g. 'Watchdog.Disk'");
        }
        if (report.timeToLive() != null && (report.timeToLive().isNegative() || report.timeToLive().isZero())) {
            return Rejection.invalid("timeToLive must be positive (e.g. 30s), or left out for a report that never expires");
        }
        if (!exists.test(report.entity())) {
            return Rejection.notFound("health entity " + report.entity().text() + " does not exist in the cluster");
        }
        HealthReport stored = get(report.entity(), report.key());
        if (stored != null && report.sequenceNumber() < stored.sequenceNumber()) {
            return Rejection.conflict("stale health report: " + report.entity().text() + " " + report.sourceId() + "/"
                    + report.property() + " has sequence number " + stored.sequenceNumber() + " stored, this report has "
                    + report.sequenceNumber() + "; send a higher sequence number");
        }
        return null;
    }

    /** Stores a checked report; returns the state it replaced (null when new). */
    HealthState put(HealthReport report) {
        HealthReport old = byEntity.computeIfAbsent(report.entity(), k -> new TreeMap<>()).put(report.key(), report);
        return old == null ? null : old.healthState();
    }

    /** Removes reports with removeWhenExpired that have expired at {@code now}; returns them. */
    List<HealthReport> expire(Instant now) {
        List<HealthReport> removed = new ArrayList<>();
        byEntity.values().forEach(m -> m.values().removeIf(r -> {
            boolean gone = r.removeWhenExpired() && r.expiredAt(now);
            if (gone) {
                removed.add(r);
            }
            return gone;
        }));
        byEntity.values().removeIf(TreeMap::isEmpty);
        return removed;
    }

    /** Forgets every report on entities that are gone. */
    void dropEntities(Predicate<HealthEntity> gone) {
        byEntity.keySet().removeIf(gone);
    }

    private HealthReport get(HealthEntity entity, String key) {
        TreeMap<String, HealthReport> m = byEntity.get(entity);
        return m == null ? null : m.get(key);
    }

    SortedMap<HealthEntity, SortedMap<String, HealthReport>> snapshot() {
        SortedMap<HealthEntity, SortedMap<String, HealthReport>> copy = new TreeMap<>();
        byEntity.forEach((k, v) -> copy.put(k, Collections.unmodifiableSortedMap(new TreeMap<>(v))));
        return Collections.unmodifiableSortedMap(copy);
    }

    List<HealthReport> all() {
        return byEntity.values().stream().flatMap(m -> m.values().stream()).toList();
    }

    void restore(List<HealthReport> reports) {
        reports.forEach(this::put);
    }
}
