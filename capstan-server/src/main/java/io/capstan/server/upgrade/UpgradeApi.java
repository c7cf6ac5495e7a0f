package io.capstan.server.upgrade;

import io.capstan.model.Durations;
import io.capstan.model.Names;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.health.ApplicationHealthPolicy;
import io.capstan.model.manifest.ParameterSubstitution;
import io.capstan.model.upgrade.ApplicationUpgrade;
import io.capstan.model.upgrade.FailureAction;
import io.capstan.model.upgrade.UpgradeDomainProgress;
import io.capstan.model.upgrade.UpgradeMode;
import io.capstan.model.upgrade.UpgradePolicy;
import io.capstan.model.upgrade.UpgradeState;
import io.capstan.server.api.ApiContext;
import io.capstan.server.api.ApiException;
import io.capstan.server.health.HealthPolicyOverrides;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.Watch;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Application upgrades over REST: {@code POST /v1/apps/{app}/upgrade} starts one (or, with {@code dryRun}, only
 * shows its plan), {@code GET} shows its status (blocking with {@code ?index=N&wait=D}), and {@code .../resume} and
 * {@code .../rollback} steer it.
 */
public final class UpgradeApi {

    /** The body of {@code POST /v1/apps/{app}/upgrade}; absent fields take Service Fabric's defaults. */
    public record StartUpgradeRequest(
            String version,
            String mode,
            String failureAction,
            String healthCheckWait,
            String healthCheckStable,
            String healthCheckRetry,
            String upgradeDomainTimeout,
            String upgradeTimeout,
            Boolean considerWarningAsError,
            Integer maxPercentUnhealthyServices,
            Integer maxPercentUnhealthyPartitionsPerService,
            Integer maxPercentUnhealthyReplicasPerPartition,
            Integer maxPercentUnhealthyDeployedApplications,
            Map<String, String> parameters,
            Boolean force,
            Boolean dryRun) {
    }

    /** The body of {@code POST /v1/apps/{app}/upgrade/rollback}. */
    public record RollbackRequest(String reason) {
    }

    private final ApiContext api;

    public UpgradeApi(ApiContext api) {
        this.api = api;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/apps/{app}/upgrade", this::start);
        routes.get("/v1/apps/{app}/upgrade", ctx -> {
            String name = Names.applicationName(ctx.pathParam("app"));
            UpgradeStatus status = api.readWatched(ctx, new Watch.Application(name), s -> status(s, name));
            ctx.json(status);
        });
        routes.post("/v1/apps/{app}/upgrade/resume", ctx -> {
            String name = Names.applicationName(ctx.pathParam("app"));
            ClusterSnapshot s = api.write(ctx, new ClusterCommand.ResumeUpgrade(name, api.clock().instant()));
            ctx.json(status(s, name));
        });
        routes.post("/v1/apps/{app}/upgrade/rollback", ctx -> {
            String name = Names.applicationName(ctx.pathParam("app"));
            String reason = ctx.body().isBlank() ? null : api.body(ctx, RollbackRequest.class).reason();
            ClusterSnapshot s = api.write(ctx, new ClusterCommand.RollBackUpgrade(name, reason, api.clock().instant()));
            ctx.json(status(s, name));
        });
    }

    private void start(Context ctx) {
        String name = Names.applicationName(ctx.pathParam("app"));
        StartUpgradeRequest req = api.body(ctx, StartUpgradeRequest.class);
        ClusterSnapshot s = api.store().snapshot();
        ApplicationRecord app = application(s, name);
        if (req.version() == null || req.version().isBlank()) {
            throw ApiException.invalid("version: the application type version to upgrade to is missing; see `capstan apptype list "
                    + app.typeName() + "`");
        }
        ApplicationTypeRecord target = s.applicationType(app.typeName(), req.version()).orElseThrow(() -> ApiException.notFound(
                "version: application type " + app.typeName() + " has no version " + req.version()
                        + "; register it first with `capstan apptype register DIR`"));
        UpgradePolicy policy = policy(req);
        Map<String, String> parameters = parameters(app, s.applicationType(app.typeName(), app.typeVersion()).orElse(null),
                target, req.parameters());
        List<String> domains = UpgradeDomainOrder.of(s);
        if (Boolean.TRUE.equals(req.dryRun())) {
            ctx.json(UpgradePlan.of(s, app, target, parameters, domains));
            return;
        }
        boolean force = Boolean.TRUE.equals(req.force());
        if (!force && !app.upgrading()) {
            List<String> unhealthy = UpgradeHealthCheck.unhealthy(s, name, policy, api.clock().instant());
            if (!unhealthy.isEmpty()) {
                throw new ApiException(409, "UNHEALTHY", "application " + name + " is already unhealthy, so an upgrade could not"
                        + " tell what it broke: " + unhealthy.get(0) + "; fix it first, or pass --force", unhealthy);
            }
        }
        ClusterSnapshot after = api.write(ctx, new ClusterCommand.StartUpgrade(name, target.version(), parameters, policy,
                domains, force, api.clock().instant()));
        ctx.status(202).json(status(after, name));
    }

    /**
     * The parameters the target runs with: the target's defaults, then the current values that differ from the
     * current version's defaults (an operator set them; one still at its old default follows the new default), then
     * the operator's changes.
     */
    private static Map<String, String> parameters(ApplicationRecord app, ApplicationTypeRecord current,
                                                  ApplicationTypeRecord target, Map<String, String> changes) {
        Map<String, String> given = new LinkedHashMap<>();
        Map<String, String> oldDefaults = current == null ? Map.of() : current.manifest().parameters();
        app.parameters().forEach((k, v) -> {
            if (target.manifest().parameters().containsKey(k) && !v.equals(oldDefaults.get(k))) {
                given.put(k, v);
            }
        });
        if (changes != null) {
            given.putAll(changes);
        }
        try {
            return ParameterSubstitution.effective(target.manifest(), given);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("parameters: " + e.getMessage());
        }
    }

    private static UpgradePolicy policy(StartUpgradeRequest req) {
        List<String> problems = new ArrayList<>();
        UpgradeMode mode = enumField(problems, "mode", req.mode(), UpgradeMode.class, UpgradeMode.Monitored);
        FailureAction action = enumField(problems, "failureAction", req.failureAction(), FailureAction.class,
                FailureAction.Rollback);
        Duration wait = duration(problems, "healthCheckWait", req.healthCheckWait(), UpgradePolicy.DEFAULT_HEALTH_CHECK_WAIT);
        Duration stable = duration(problems, "healthCheckStable", req.healthCheckStable(),
                UpgradePolicy.DEFAULT_HEALTH_CHECK_STABLE);
        Duration retry = duration(problems, "healthCheckRetry", req.healthCheckRetry(), UpgradePolicy.DEFAULT_HEALTH_CHECK_RETRY);
        Duration domainTimeout = duration(problems, "upgradeDomainTimeout", req.upgradeDomainTimeout(), null);
        Duration timeout = duration(problems, "upgradeTimeout", req.upgradeTimeout(), null);
        ApplicationHealthPolicy health = null;
        boolean anyHealth = req.considerWarningAsError() != null || req.maxPercentUnhealthyServices() != null
                || req.maxPercentUnhealthyPartitionsPerService() != null || req.maxPercentUnhealthyReplicasPerPartition() != null
                || req.maxPercentUnhealthyDeployedApplications() != null;
        if (anyHealth) {
            try {
                health = new HealthPolicyOverrides(req.considerWarningAsError(), null, null, req.maxPercentUnhealthyServices(),
                        req.maxPercentUnhealthyPartitionsPerService(), req.maxPercentUnhealthyReplicasPerPartition(),
                        req.maxPercentUnhealthyDeployedApplications()).applyTo(ApplicationHealthPolicy.DEFAULT);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiException(400, "INVALID", String.join("; ", problems), problems);
        }
        UpgradePolicy policy = new UpgradePolicy(mode, action, wait, stable, retry, domainTimeout, timeout, health);
        if (!policy.problems().isEmpty()) {
            throw new ApiException(400, "INVALID", String.join("; ", policy.problems()), policy.problems());
        }
        return policy;
    }

    private static <E extends Enum<E>> E enumField(List<String> problems, String field, String text, Class<E> type, E fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        String wanted = text.replace("-", "");
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(wanted)) {
                return e;
            }
        }
        problems.add(field + ": '" + text + "' is not one of " + Arrays.toString(type.getEnumConstants()));
        return fallback;
    }

    private static Duration duration(List<String> problems, String field, String text, Duration fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add(field + ": " + e.getMessage());
            return fallback;
        }
    }

    private static ApplicationRecord application(ClusterSnapshot s, String name) {
        ApplicationRecord a = s.applications().get(name);
        if (a == null) {
            throw ApiException.notFound("application " + name + " does not exist; see `capstan app list`");
        }
        return a;
    }

    /** What {@code GET /v1/apps/{app}/upgrade} answers. */
    public record UpgradeStatus(
            String application, String type, String fromVersion, String toVersion, UpgradeState state, UpgradeMode mode,
            FailureAction failureAction, Map<String, String> policy, String currentDomain, List<UpgradeDomainProgress> domains,
            WaitView waitingFor, String failureReason, List<String> healthEvaluations, boolean forced, Instant startedAt,
            Instant completedAt, long revision) {
    }

    /** What the current domain waits for, and for how long it has. */
    public record WaitView(String condition, String detail, Instant since, long waitedMillis, Instant retryingSince,
                           long retryLeftMillis) {
    }

    private UpgradeStatus status(ClusterSnapshot s, String name) {
        ApplicationRecord app = application(s, name);
        ApplicationUpgrade u = app.upgrade();
        if (u == null) {
            throw ApiException.notFound("application " + name + " was never upgraded; start one with `capstan upgrade start "
                    + name + " --version V`");
        }
        Instant now = api.clock().instant();
        WaitView wait = u.waitingFor() == null ? null : new WaitView(u.waitingFor().condition(), u.waitingFor().detail(),
                u.waitingFor().since(), Duration.between(u.waitingFor().since(), now).toMillis(),
                u.waitingFor().retryingSince(), u.waitingFor().retryingSince() == null ? 0
                        : Math.max(0, Duration.between(now, u.waitingFor().retryingSince().plus(u.policy().healthCheckRetry()))
                                .toMillis()));
        UpgradePolicy p = u.policy();
        Map<String, String> policy = new LinkedHashMap<>();
        policy.put("healthCheckWait", Durations.format(p.healthCheckWait()));
        policy.put("healthCheckStable", Durations.format(p.healthCheckStable()));
        policy.put("healthCheckRetry", Durations.format(p.healthCheckRetry()));
        policy.put("upgradeDomainTimeout", p.upgradeDomainTimeout() == null ? "none" : Durations.format(p.upgradeDomainTimeout()));
        policy.put("upgradeTimeout", p.upgradeTimeout() == null ? "none" : Durations.format(p.upgradeTimeout()));
        return new UpgradeStatus(app.name(), app.typeName(), u.fromVersion(), u.toVersion(), u.state(), p.mode(),
                p.failureAction(), policy, u.currentDomain().map(UpgradeDomainProgress::name).orElse(null), u.domains(), wait,
                u.failureReason(), u.healthEvaluations(), u.forced(), u.startedAt(), u.completedAt(), u.revision());
    }
}
