package io.capstan.server.control;

import io.capstan.model.ActivationMode;
import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.placement.PlacementFailure;
import io.capstan.placement.PlacementPlan;
import io.capstan.placement.PlacementPlanner;
import io.capstan.placement.ReplicaPlacement;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's placement loop: whenever the state changes, run the (pure) planner over a snapshot
 * and commit its plan as one {@link ClusterCommand.ApplyPlacement}. Runs only while this server
 * leads; one plan is in flight at a time, so a plan is always computed from the previous one's result.
 */
public final class PlacementController implements LeaderController {

    private static final Logger LOG = LoggerFactory.getLogger(PlacementController.class);

    private final ClusterStore store;
    private final PlacementPlanner planner = new PlacementPlanner();
    private final Clock clock;
    private final Supplier<String> activationIds;

    public PlacementController(ClusterStore store, Clock clock, Supplier<String> activationIds) {
        this.store = store;
        this.clock = clock;
        this.activationIds = activationIds;
    }

    @Override
    public String name() {
        return "placement";
    }

    @Override
    public void runWhileLeader(java.util.function.BooleanSupplier stillLeader) throws InterruptedException {
        long seen = -1;
        while (stillLeader.getAsBoolean()) {
            ClusterSnapshot state = store.awaitAfter(seen, Duration.ofSeconds(5));
            if (state.index() == seen) {
                continue;
            }
            seen = state.index();
            ClusterCommand.ApplyPlacement command = commandFor(state, planner.plan(PlacementInputs.from(state)));
            if (command.isEmpty()) {
                continue;
            }
            try {
                store.submit(command).get();
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.warn("could not commit a placement plan: {}", e.getCause().toString());
            }
        }
    }

    /** The plan as a command; placement problems only where they differ from what the state already says. */
    ClusterCommand.ApplyPlacement commandFor(ClusterSnapshot state, PlacementPlan plan) {
        List<ClusterCommand.NewReplica> placements = new ArrayList<>();
        for (ReplicaPlacement p : plan.placements()) {
            ServiceRecord s = state.services().get(p.service());
            String activationId = s.spec().activation() == ActivationMode.EXCLUSIVE_PROCESS ? activationIds.get() : "";
            placements.add(new ClusterCommand.NewReplica(p.service(), p.partitionId(), p.node(), p.role(), activationId));
        }
        Map<ServiceName, List<String>> failures = new HashMap<>();
        for (PlacementFailure f : plan.failures()) {
            failures.computeIfAbsent(f.service(), k -> new ArrayList<>()).add("partition " + f.partitionId() + ": " + f.reason());
        }
        Map<ServiceName, String> problems = new HashMap<>();
        for (ServiceRecord s : state.services().values()) {
            List<String> reasons = failures.get(s.name());
            String problem = reasons == null ? "" : reasons.size() == 1 ? reasons.get(0)
                    : reasons.get(0) + " (and " + (reasons.size() - 1) + " more partition(s))";
            String current = s.placementProblem() == null ? "" : s.placementProblem();
            if (!problem.equals(current)) {
                problems.put(s.name(), problem);
            }
        }
        return new ClusterCommand.ApplyPlacement(state.index(), placements,
                plan.removals().stream().map(r -> new ClusterCommand.Removal(r.replicaId(), r.reason())).toList(),
                plan.roleChanges().stream().map(c -> new ClusterCommand.RoleAssignment(c.replicaId(), c.newRole())).toList(),
                problems, clock.instant());
    }
}
