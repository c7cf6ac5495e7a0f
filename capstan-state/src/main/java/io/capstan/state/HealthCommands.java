package io.capstan.state;

import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import io.capstan.state.ClusterCommand.ExpireHealthReports;
import io.capstan.state.ClusterCommand.HealthCommand;
import io.capstan.state.ClusterCommand.ReportHealth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The health reports clients sent, by entity and (source, property). Reports from Capstan itself are not
 * stored: they are derived from the state when health is read. A batch applies whole or not at all.
 */
final class HealthCommands implements CommandHandler<HealthCommand> {

    private final StateLimits limits;

    HealthCommands(StateLimits limits) {
        this.limits = limits;
    }

    @Override
    public Rejection check(StateChange state, HealthCommand command) {
        return switch (command) {
            case ReportHealth c -> {
                if (c.reports().size() > limits.maxHealthReportsPerCommand()) {
                    yield Rejection.invalid("reports: at most " + limits.maxHealthReportsPerCommand() + " reports in one request");
                }
                Map<HealthEntity, Integer> added = new HashMap<>();
                for (HealthReport r : c.reports()) {
                    Rejection rejection = check(state, r);
                    if (rejection != null) {
                        yield rejection;
                    }
                    if (state.healthReport(r.entity(), r.key()) == null
                            && state.healthReportCount(r.entity()) + added.merge(r.entity(), 1, Integer::sum)
                            > limits.maxHealthReportsPerEntity()) {
                        yield Rejection.invalid("reports: " + r.entity().text() + " would have more than "
                                + limits.maxHealthReportsPerEntity() + " health reports; reuse (sourceId, property) pairs "
                                + "or send removeWhenExpired reports with a time to live");
                    }
                }
                yield null;
            }
            case ExpireHealthReports c -> c.at() == null ? Rejection.invalid("at: is required") : null;
        };
    }

    private Rejection check(StateChange state, HealthReport report) {
        if (report == null || report.reportedAt() == null) {
            return Rejection.invalid("reports: a report is empty or was not stamped by the server");
        }
        if (report.sourceId().isBlank() || report.property().isBlank()) {
            return Rejection.invalid("sourceId/property: a health report needs a sourceId and a property");
        }
        if (report.sourceId().length() > 256 || report.property().length() > 256
                || report.description().length() > limits.maxTextChars()) {
            return Rejection.invalid("sourceId/property/description: at most 256, 256 and " + limits.maxTextChars()
                    + " characters");
        }
        if (report.sourceId().startsWith(HealthReport.SYSTEM_SOURCE_PREFIX)) {
            return Rejection.invalid("sourceId '" + report.sourceId() + "' starts with '" + HealthReport.SYSTEM_SOURCE_PREFIX
                    + "', which is reserved for Capstan's own reports; use a source naming your tool, e.g. 'Watchdog.Disk'");
        }
        if (report.timeToLive() != null && (report.timeToLive().isNegative() || report.timeToLive().isZero())) {
            return Rejection.invalid("timeToLive must be positive (e.g. 30s), or left out for a report that never expires");
        }
        if (!exists(state, report.entity())) {
            return Rejection.notFound("health entity " + report.entity().text() + " does not exist in the cluster");
        }
        HealthReport stored = state.healthReport(report.entity(), report.key());
        if (stored != null && report.sequenceNumber() < stored.sequenceNumber()) {
            return Rejection.conflict("stale health report: " + report.entity().text() + " " + report.sourceId() + "/"
                    + report.property() + " has sequence number " + stored.sequenceNumber() + " stored, this report has "
                    + report.sequenceNumber() + "; send a higher sequence number");
        }
        return null;
    }

    /** Whether a health entity names something the cluster has. */
    private static boolean exists(StateChange state, HealthEntity entity) {
        return switch (entity) {
            case HealthEntity.Cluster x -> true;
            case HealthEntity.Node x -> state.node(x.name()) != null;
            case HealthEntity.Application x -> state.application(x.name()) != null;
            case HealthEntity.Service x -> state.service(x.name()) != null;
            case HealthEntity.Partition x -> {
                PartitionRef p = state.partition(x.partitionId());
                yield p != null && p.service().equals(x.service());
            }
            case HealthEntity.Replica x -> {
                ReplicaRecord r = state.replica(x.replicaId());
                yield r != null && r.service().equals(x.service()) && r.partitionId().equals(x.partitionId());
            }
            case HealthEntity.DeployedApplication x -> state.deployedOn(x.node()).keySet().stream()
                    .anyMatch(k -> k.application().equals(x.application()));
            case HealthEntity.DeployedServicePackage x -> state.deployedOn(x.node())
                    .containsKey(new ActivationKey(x.application(), x.servicePackage(), x.activationId()));
        };
    }

    @Override
    public void apply(StateChange state, HealthCommand command) {
        switch (command) {
            case ReportHealth c -> {
                for (HealthReport r : c.reports()) {
                    HealthReport before = state.putHealthReport(r);
                    if (before == null || before.healthState() != r.healthState()) {
                        state.event(c.at(), "HealthReported", r.entity().text(), r.sourceId() + "/" + r.property() + " "
                                + (before == null ? "" : before.healthState() + " -> ") + r.healthState()
                                + (r.description().isEmpty() ? "" : ": " + r.description()));
                    }
                }
            }
            case ExpireHealthReports c -> {
                List<HealthReport> expired = new ArrayList<>();
                state.healthReports().values().forEach(m -> m.values().forEach(r -> {
                    if (r.removeWhenExpired() && r.expiredAt(c.at())) {
                        expired.add(r);
                    }
                }));
                for (HealthReport r : expired) {
                    state.removeHealthReport(r.entity(), r.key());
                    state.event(c.at(), "HealthReportExpired", r.entity().text(), r.sourceId() + "/" + r.property());
                }
            }
        }
    }

}
