package io.capstan.server.upgrade;

import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.server.control.LeaderController;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterCommand.UpgradeStep;
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
 * The leader's upgrade loop: for every application with a walking upgrade, commits the step {@link UpgradeWalk}
 * decides. It keeps nothing of its own (what each domain waits for, and since when, is in the state), so a new
 * leader goes on where the last one stopped.
 */
public final class UpgradeController implements LeaderController {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradeController.class);
    /**
     * How long the loop waits for a commit before looking again while an upgrade walks: health waits and timeouts
     * pass with the clock, not with commits, so this bounds how late a step can be after its time came (twice a
     * domain: the end of the health check wait and of the stable time).
     */
    private static final Duration TICK = Duration.ofMillis(100);
    /** With no upgrade walking, only a commit (an upgrade starting) gives the loop work. */
    private static final Duration IDLE_TICK = Duration.ofSeconds(1);

    private final ClusterStore store;
    private final Clock clock;

    public UpgradeController(ClusterStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "upgrade";
    }

    @Override
    public void runWhileLeader(BooleanSupplier stillLeader) throws InterruptedException {
        long seen = 0;
        boolean stepped = false;
        boolean walking = false;
        while (stillLeader.getAsBoolean()) {
            // After a step, look again at once (it changed what the walk decides); else wait for a commit or the tick.
            ClusterSnapshot state = stepped ? store.snapshot() : store.awaitAfter(seen, walking ? TICK : IDLE_TICK);
            seen = state.index();
            stepped = false;
            walking = false;
            Instant now = clock.instant();
            for (ApplicationRecord app : state.applications().values()) {
                if (app.upgrade() == null || !UpgradeWalk.walking(app.upgrade().state())) {
                    continue;
                }
                walking = true;
                UpgradeStep step = UpgradeWalk.next(state, app, now);
                if (step != null && stillLeader.getAsBoolean()) {
                    stepped |= commit(new ClusterCommand.StepUpgrade(app.name(), app.upgrade().revision(), step, now));
                }
            }
        }
    }

    /** True when the step was applied. */
    private boolean commit(ClusterCommand.StepUpgrade command) throws InterruptedException {
        try {
            CommandResult result = store.submit(command).get();
            if (result.applied()) {
                return true;
            } else {
                // A revision race (an operator's resume or rollback came first) is expected: the next pass recomputes.
                LOG.info("upgrade step {} of {} was not applied: {}", command.step().getClass().getSimpleName(),
                        command.application(), result.message());
            }
        } catch (ExecutionException e) {
            LOG.warn("could not commit upgrade step of {}: {}", command.application(), e.getCause().toString());
        }
        return false;
    }
}
