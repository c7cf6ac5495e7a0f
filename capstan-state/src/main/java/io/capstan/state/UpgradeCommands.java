package io.capstan.state;

import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.ApplicationVersion;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.manifest.ServicePackageManifest;
import io.capstan.model.upgrade.ApplicationUpgrade;
import io.capstan.model.upgrade.DomainState;
import io.capstan.model.upgrade.FailureAction;
import io.capstan.model.upgrade.UpgradeDomainProgress;
import io.capstan.model.upgrade.UpgradeMode;
import io.capstan.model.upgrade.UpgradeState;
import io.capstan.model.upgrade.UpgradeWait;
import io.capstan.state.ClusterCommand.ResumeUpgrade;
import io.capstan.state.ClusterCommand.RollBackUpgrade;
import io.capstan.state.ClusterCommand.StartUpgrade;
import io.capstan.state.ClusterCommand.StepUpgrade;
import io.capstan.state.ClusterCommand.UpgradeCommand;
import io.capstan.state.ClusterCommand.UpgradeStep;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Application upgrades (DESIGN §6): the upgrade lives in the application's record, so every server holds it
 * and a new leader's controller goes on from the last committed step. Which domains run the target version is
 * part of that record; node assignments follow it, so a committed step is what moves processes.
 */
final class UpgradeCommands implements CommandHandler<UpgradeCommand> {

    private final StateLimits limits;

    UpgradeCommands(StateLimits limits) {
        this.limits = limits;
    }

    @Override
    public Rejection check(StateChange state, UpgradeCommand command) {
        ApplicationRecord app = command.application() == null ? null : state.application(command.application());
        if (app == null) {
            return Rejection.notFound("application " + command.application() + " does not exist; see `capstan app list`");
        }
        return switch (command) {
            case StartUpgrade c -> checkStart(state, app, c);
            case StepUpgrade c -> checkStep(app, c);
            case ResumeUpgrade c -> {
                if (!app.upgrading()) {
                    yield Rejection.conflict(noUpgrade(app));
                }
                UpgradeState s = app.upgrade().state();
                if (app.upgrade().domains().stream().anyMatch(d -> d.state() == DomainState.RollingBack)) {
                    yield Rejection.conflict("the rollback of " + app.name() + " failed (" + app.upgrade().failureReason()
                            + "); it cannot be resumed forward: retry it with `capstan upgrade rollback " + app.name() + "`");
                }
                yield s == UpgradeState.RollingForwardPending || s == UpgradeState.Failed ? null
                        : Rejection.conflict("the upgrade of " + app.name() + " is " + s + "; only a paused"
                                + " (RollingForwardPending) or Failed upgrade can be resumed");
            }
            case RollBackUpgrade c -> {
                if (!app.upgrading()) {
                    yield Rejection.conflict(noUpgrade(app));
                }
                yield app.upgrade().state() == UpgradeState.RollingBackInProgress
                        ? Rejection.conflict("the upgrade of " + app.name() + " is already rolling back") : null;
            }
        };
    }

    private Rejection checkStart(StateChange state, ApplicationRecord app, StartUpgrade c) {
        if (app.upgrading()) {
            ApplicationUpgrade u = app.upgrade();
            return Rejection.conflict("application " + app.name() + " is already upgrading to " + u.toVersion() + " ("
                    + u.state() + u.currentDomain().map(d -> ", domain " + d.name()).orElse("")
                    + "); wait for it, or `capstan upgrade rollback " + app.name() + "`");
        }
        if (c.toVersion() == null || c.policy() == null) {
            return Rejection.invalid("version and policy: both are required");
        }
        ApplicationTypeRecord target = state.type(app.typeName(), c.toVersion());
        if (target == null) {
            var versions = state.types().get(app.typeName());
            return Rejection.notFound("version: application type " + app.typeName() + " has no version " + c.toVersion()
                    + "; register it first with `capstan apptype register DIR` (registered: "
                    + (versions == null ? "[]" : versions.keySet()) + ")");
        }
        if (c.toVersion().equals(app.typeVersion()) && c.parameters().equals(app.parameters())) {
            return Rejection.invalid("version: " + app.name() + " already runs " + app.typeName() + " " + c.toVersion()
                    + " with these parameters; give another --version or change a --param");
        }
        for (Map.Entry<String, String> p : c.parameters().entrySet()) {
            if (!target.manifest().parameters().containsKey(p.getKey())) {
                return Rejection.invalid("parameters." + p.getKey() + ": " + app.typeName() + " " + c.toVersion()
                        + " declares no such parameter (it declares " + target.manifest().parameters().keySet() + ")");
            }
            if (p.getValue() == null || p.getValue().length() > limits.maxTextChars()) {
                return Rejection.invalid("parameters." + p.getKey() + ": give a value of at most " + limits.maxTextChars()
                        + " characters");
            }
        }
        for (ServiceName s : state.servicesOf(app.name())) {
            ServiceRecord svc = state.service(s);
            ServicePackageManifest pkg = target.manifest().servicePackage(svc.servicePackage()).orElse(null);
            if (pkg == null || pkg.serviceType(svc.spec().serviceType()).isEmpty()) {
                return Rejection.invalid("version: service " + s + " runs service type " + svc.spec().serviceType()
                        + " of package " + svc.servicePackage() + ", which " + app.typeName() + " " + c.toVersion()
                        + " does not have; keep the type in the new version or delete the service first");
            }
        }
        List<String> problems = c.policy().problems();
        if (!problems.isEmpty()) {
            return Rejection.invalid(String.join("; ", problems));
        }
        if (c.domains().isEmpty() || new HashSet<>(c.domains()).size() != c.domains().size()) {
            return Rejection.invalid("domains: list each upgrade domain to walk once, in walk order");
        }
        return null;
    }

    private Rejection checkStep(ApplicationRecord app, StepUpgrade c) {
        if (!app.upgrading()) {
            return Rejection.conflict(noUpgrade(app));
        }
        ApplicationUpgrade u = app.upgrade();
        if (u.revision() != c.revision()) {
            return Rejection.conflict("the upgrade of " + app.name() + " changed (revision " + u.revision()
                    + ", the step was computed at " + c.revision() + "); it is computed again");
        }
        if (c.step() == null) {
            return Rejection.invalid("step: is required");
        }
        UpgradeState s = u.state();
        boolean forward = s == UpgradeState.RollingForwardInProgress;
        boolean back = s == UpgradeState.RollingBackInProgress;
        UpgradeDomainProgress current = u.currentDomain().orElse(null);
        String wrong = switch (c.step()) {
            case UpgradeStep.StartDomain d -> !forward || current != null || domainIn(u, d.domain()) != DomainState.Pending
                    ? "domain " + d.domain() + " cannot start now" : null;
            case UpgradeStep.CompleteDomain d -> !forward || current == null || !current.name().equals(d.domain())
                    ? "domain " + d.domain() + " is not the one in progress" : null;
            case UpgradeStep.Await w -> w.waitingFor() == null || (!forward && !back) ? "nothing waits now" : null;
            case UpgradeStep.Fail f -> !forward && !back ? "it is not walking" : null;
            case UpgradeStep.RollBackDomain d -> !back || current != null || !domainIn(u, d.domain()).runsTarget()
                    ? "domain " + d.domain() + " cannot roll back now" : null;
            case UpgradeStep.CompleteRollBackDomain d -> !back || current == null || !current.name().equals(d.domain())
                    ? "domain " + d.domain() + " is not rolling back" : null;
            case UpgradeStep.Finish f -> (!forward && !back) || current != null
                    || u.domains().stream().anyMatch(d -> forward ? d.state() != DomainState.Completed : d.state().runsTarget())
                    ? "domains are left to walk" : null;
        };
        return wrong == null ? null : Rejection.conflict("upgrade of " + app.name() + " is " + s + ": " + wrong);
    }

    private static DomainState domainIn(ApplicationUpgrade u, String domain) {
        return u.domains().stream().filter(d -> d.name().equals(domain)).map(UpgradeDomainProgress::state).findFirst()
                .orElse(null);
    }

    private static String noUpgrade(ApplicationRecord app) {
        return "application " + app.name() + " has no upgrade in progress"
                + (app.upgrade() == null ? "" : " (the last one is " + app.upgrade().state() + ")");
    }

    @Override
    public void apply(StateChange state, UpgradeCommand command) {
        ApplicationRecord app = state.application(command.application());
        String entity = app.uri();
        switch (command) {
            case StartUpgrade c -> {
                ApplicationUpgrade u = new ApplicationUpgrade(app.typeVersion(), app.parameters(), c.toVersion(),
                        c.parameters(), c.policy(), UpgradeState.RollingForwardInProgress,
                        c.domains().stream().map(UpgradeDomainProgress::pending).toList(), null, "", List.of(),
                        c.forced(), c.at(), null, 0);
                state.putApplication(app.withUpgrade(u));
                state.event(c.at(), "ApplicationUpgradeStarted", entity, app.typeVersion() + " -> " + c.toVersion() + ", "
                        + c.policy().mode() + ", domains " + c.domains() + (c.forced() ? " (forced)" : ""));
            }
            case ResumeUpgrade c -> {
                ApplicationUpgrade u = app.upgrade();
                state.putApplication(app.withUpgrade(u.withState(UpgradeState.RollingForwardInProgress).withWait(null, List.of())));
                state.event(c.at(), "ApplicationUpgradeResumed", entity, "from " + u.state());
            }
            case RollBackUpgrade c -> rollBack(state, app, app.upgrade().failed(
                    c.reason() == null || c.reason().isBlank() ? "rolled back by an operator" : c.reason(),
                    app.upgrade().healthEvaluations()), c.at());
            case StepUpgrade c -> step(state, app, c.step(), c.at());
        }
    }

    private void step(StateChange state, ApplicationRecord app, UpgradeStep step, Instant at) {
        ApplicationUpgrade u = app.upgrade();
        String entity = app.uri();
        switch (step) {
            case UpgradeStep.StartDomain d -> {
                PrimaryHandover.outOf(state, app.name(), d.domain(), at);
                state.putApplication(app.withUpgrade(u.withDomain(d.domain(), p -> p.started(at))));
                state.event(at, "UpgradeDomainStarted", entity, "domain " + d.domain() + " -> " + u.toVersion());
                touchAssignments(state, app);
            }
            case UpgradeStep.CompleteDomain d -> {
                ApplicationUpgrade done = u.withDomain(d.domain(), p -> p.completed(at, d.result()));
                state.event(at, "UpgradeDomainCompleted", entity, "domain " + d.domain()
                        + (d.result().isEmpty() ? "" : ": " + d.result()));
                boolean more = done.domains().stream().anyMatch(p -> p.state() == DomainState.Pending);
                if (more && u.policy().mode() == UpgradeMode.UnmonitoredManual) {
                    String why = "domain " + d.domain() + " is done; UnmonitoredManual waits for an operator";
                    done = done.withState(UpgradeState.RollingForwardPending).withWait(new UpgradeWait("Resume", why, at, null),
                            List.of());
                    state.event(at, "ApplicationUpgradePaused", entity, why + ": `capstan upgrade resume " + app.name() + "`");
                }
                state.putApplication(app.withUpgrade(done));
            }
            case UpgradeStep.Await w -> state.putApplication(app.withUpgrade(u.withWait(w.waitingFor(), w.healthEvaluations())));
            case UpgradeStep.Fail f -> {
                ApplicationUpgrade failed = u.failed(f.reason(), f.healthEvaluations());
                if (u.state() == UpgradeState.RollingBackInProgress) {
                    state.putApplication(app.withUpgrade(failed.withState(UpgradeState.Failed)));
                    state.event(at, "ApplicationUpgradeFailed", entity, f.reason() + "; the rollback stopped: fix the cause and"
                            + " retry it with `capstan upgrade rollback " + app.name() + "`");
                } else if (u.policy().failureAction() == FailureAction.Rollback) {
                    rollBack(state, app, failed, at);
                } else {
                    state.putApplication(app.withUpgrade(failed.withState(UpgradeState.Failed)));
                    state.event(at, "ApplicationUpgradeFailed", entity, f.reason() + "; failure action Manual: `capstan upgrade"
                            + " resume " + app.name() + "` to retry the domain, or `capstan upgrade rollback " + app.name() + "`");
                }
            }
            case UpgradeStep.RollBackDomain d -> {
                state.putApplication(app.withUpgrade(u.withDomain(d.domain(), p -> p.rollingBack(at, p.result()))));
                state.event(at, "UpgradeDomainRollingBack", entity, "domain " + d.domain() + " -> " + u.fromVersion());
                touchAssignments(state, app);
            }
            case UpgradeStep.CompleteRollBackDomain d -> {
                state.putApplication(app.withUpgrade(u.withDomain(d.domain(), p -> p.rolledBack(at))));
                state.event(at, "UpgradeDomainRolledBack", entity, "domain " + d.domain());
            }
            case UpgradeStep.Finish f -> {
                if (u.state() == UpgradeState.RollingForwardInProgress) {
                    state.putApplication(app.on(new ApplicationVersion(u.toVersion(), u.toParameters()),
                            u.completed(UpgradeState.RollingForwardCompleted, at)));
                    state.event(at, "ApplicationUpgradeCompleted", entity, "now " + app.typeName() + " " + u.toVersion());
                } else {
                    state.putApplication(app.withUpgrade(u.completed(UpgradeState.RollingBackCompleted, at)));
                    state.event(at, "ApplicationUpgradeRolledBack", entity, "back on " + app.typeName() + " " + u.fromVersion()
                            + "; " + u.failureReason());
                }
                // Nodes of domains the walk did not list (they joined meanwhile) switch now.
                touchAssignments(state, app);
            }
        }
    }

    /**
     * Rolling back starts with the domain in progress, if any (it is half on the target): it goes back at once,
     * the others one by one in reverse walk order as the controller steps through them.
     */
    private static void rollBack(StateChange state, ApplicationRecord app, ApplicationUpgrade failed, Instant at) {
        ApplicationUpgrade u = failed.withState(UpgradeState.RollingBackInProgress);
        UpgradeDomainProgress current = u.domains().stream().filter(d -> d.state() == DomainState.InProgress).findFirst()
                .orElse(null);
        if (current != null) {
            u = u.withDomain(current.name(), p -> p.rollingBack(at, "failed: " + failed.failureReason()));
        }
        state.putApplication(app.withUpgrade(u));
        state.event(at, "ApplicationUpgradeRollingBack", app.uri(), failed.failureReason());
        touchAssignments(state, app);
    }

    /** Wakes the agents of every node hosting the application: what they must run follows the domains' versions. */
    private static void touchAssignments(StateChange state, ApplicationRecord app) {
        Set<String> nodes = new TreeSet<>();
        for (ServiceName s : state.servicesOf(app.name())) {
            for (ReplicaRecord r : state.replicasOfService(s)) {
                nodes.add(r.node());
            }
        }
        nodes.forEach(state::touchAssignment);
    }
}
