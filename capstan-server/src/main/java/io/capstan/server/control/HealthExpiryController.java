package io.capstan.server.control;

import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterStore;
import io.capstan.state.CommandResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's loop that removes expired health reports sent with removeWhenExpired. It commits
 * {@link ClusterCommand.ExpireHealthReports} only when some report has actually expired, so an idle
 * cluster's log does not grow by one entry per tick.
 */
public final class HealthExpiryController implements LeaderController {

    private static final Logger LOG = LoggerFactory.getLogger(HealthExpiryController.class);

    private final ClusterStore store;
    private final Clock clock;
    private final Duration period;

    public HealthExpiryController(ClusterStore store, Clock clock, Duration period) {
        this.store = store;
        this.clock = clock;
        this.period = period;
    }

    @Override
    public String name() {
        return "health-expiry";
    }

    @Override
    public void runWhileLeader(BooleanSupplier stillLeader) throws InterruptedException {
        while (stillLeader.getAsBoolean()) {
            ClusterCommand command = commandFor(store.snapshot(), clock.instant());
            if (command != null) {
                try {
                    CommandResult result = store.submit(command).get();
                    if (!result.applied()) {
                        LOG.warn("expiring health reports was rejected: {}", result.message());
                    }
                } catch (ExecutionException e) {
                    LOG.warn("could not expire health reports: {}", e.getCause().toString());
                }
            }
            // Why a fixed delay: expiry is driven by the clock, not by commits; the period bounds how long an
            // expired report outlives its time to live (readers already hide it from the moment it expires).
            Thread.sleep(period);
        }
    }

    /** The command to commit at {@code now}, or null when no report with removeWhenExpired has expired. */
    static ClusterCommand.ExpireHealthReports commandFor(ClusterSnapshot state, Instant now) {
        boolean due = state.healthReports().values().stream().flatMap(m -> m.values().stream())
                .anyMatch(r -> r.removeWhenExpired() && r.expiredAt(now));
        return due ? new ClusterCommand.ExpireHealthReports(now) : null;
    }
}
