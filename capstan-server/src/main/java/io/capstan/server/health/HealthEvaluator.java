package io.capstan.server.health;

import io.capstan.model.health.ApplicationHealthPolicy;
import io.capstan.model.health.ClusterHealthPolicy;
import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import io.capstan.model.health.HealthState;
import io.capstan.state.ClusterSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Service Fabric's health aggregation over one snapshot, with no I/O: an entity's state is the worst of
 * its own reports (stored and derived) and of the evaluation of each set of its children against the
 * policy. The tree: cluster ← nodes, applications; application ← services, deployed applications;
 * service ← partitions; partition ← replicas; deployed application ← deployed service packages.
 * One evaluator answers many questions about the same snapshot; each entity is evaluated once.
 */
public final class HealthEvaluator {

    private final HealthTopology topology;
    private final DerivedReports derived;
    private final ClusterSnapshot s;
    private final Instant now;
    private final ClusterHealthPolicy clusterPolicy;
    private final HealthPolicyOverrides applicationOverrides;
    private final Map<HealthEntity, Evaluated> evaluated = new HashMap<>();
    private final Map<String, ApplicationHealthPolicy> applicationPolicies = new HashMap<>();

    /** An entity's evaluation before it is shaped for the API. */
    private record Evaluated(HealthState state, List<HealthReportView> reports, List<HealthEvaluation> unhealthy,
                             List<ChildrenHealth> children) {
    }

    /**
     * @param clusterPolicy        for the cluster and its nodes
     * @param applicationOverrides fields that replace those of each application type's manifest policy
     */
    public HealthEvaluator(ClusterSnapshot snapshot, Instant now, ClusterHealthPolicy clusterPolicy,
                           HealthPolicyOverrides applicationOverrides) {
        this.s = snapshot;
        this.now = now;
        this.clusterPolicy = clusterPolicy;
        this.applicationOverrides = applicationOverrides;
        this.topology = new HealthTopology(snapshot);
        this.derived = new DerivedReports(topology, now);
    }

    /** The evaluator a query uses: Service Fabric's default cluster policy and the manifests', with the query's overrides. */
    public static HealthEvaluator forQuery(ClusterSnapshot snapshot, Instant now, HealthPolicyOverrides overrides) {
        return new HealthEvaluator(snapshot, now, overrides.applyTo(ClusterHealthPolicy.DEFAULT), overrides);
    }

    /** The health of {@code entity}, or empty when the cluster has no such entity. */
    public Optional<EntityHealth> evaluate(HealthEntity entity) {
        if (!HealthEntities.exists(s, entity)) {
            return Optional.empty();
        }
        Evaluated e = evaluated(entity);
        String application = HealthEntities.applicationOf(entity);
        return Optional.of(new EntityHealth(entity.text(), e.state(), e.reports(), e.unhealthy(), e.children(),
                application == null ? clusterPolicy : null, application == null ? null : applicationPolicy(application)));
    }

    /** The policy in force for an application: its type's manifest policy with the overrides applied. */
    public ApplicationHealthPolicy applicationPolicy(String application) {
        return applicationPolicies.computeIfAbsent(application,
                a -> applicationOverrides.applyTo(topology.manifestPolicy(a)));
    }

    private Evaluated evaluated(HealthEntity entity) {
        Evaluated e = evaluated.get(entity);
        if (e == null) { // not computeIfAbsent: evaluating children re-enters this map
            e = evaluate(entity, warningAsError(entity));
            evaluated.put(entity, e);
        }
        return e;
    }

    private boolean warningAsError(HealthEntity entity) {
        String application = HealthEntities.applicationOf(entity);
        return application == null ? clusterPolicy.considerWarningAsError()
                : applicationPolicy(application).considerWarningAsError();
    }

    private Evaluated evaluate(HealthEntity entity, boolean warningAsError) {
        List<HealthEvaluation> evaluations = new ArrayList<>();
        List<HealthReportView> reports = new ArrayList<>();
        HealthState state = HealthState.Ok;
        for (HealthReport r : reports(entity)) {
            HealthState effective = effectiveState(r, warningAsError);
            reports.add(HealthReportView.of(r, now, effective));
            state = state.worse(effective);
            if (effective != HealthState.Ok) {
                evaluations.add(new HealthEvaluation("Event", effective, describe(r, effective), null, List.of()));
            }
        }
        List<ChildrenHealth> children = new ArrayList<>();
        for (ChildSet set : childSets(entity)) {
            List<ChildrenAggregation.Child> members = set.entities().stream().map(c -> {
                Evaluated e = evaluated(c);
                return new ChildrenAggregation.Child(c, e.state(), e.unhealthy());
            }).toList();
            ChildrenAggregation.Result result = ChildrenAggregation.evaluate(set.kind(), set.childKind(), members,
                    set.maxPercent(), warningAsError);
            children.add(result.summary());
            state = state.worse(result.state());
            if (result.evaluation() != null) {
                evaluations.add(result.evaluation());
            }
        }
        HealthState aggregated = state;
        // As in Service Fabric, only what explains the aggregated state is listed: Errors under an Error.
        List<HealthEvaluation> relevant = evaluations.stream().filter(e -> e.healthState() == aggregated).toList();
        return new Evaluated(aggregated, reports, relevant, children);
    }

    /** Derived reports first, then stored ones; a report gone with removeWhenExpired is no longer there. */
    private List<HealthReport> reports(HealthEntity entity) {
        List<HealthReport> out = new ArrayList<>(derived.on(entity));
        for (HealthReport r : s.healthReportsOn(entity)) {
            if (!(r.removeWhenExpired() && r.expiredAt(now))) {
                out.add(r);
            }
        }
        return out;
    }

    /** An expired report that stays counts as Error: whoever sent it stopped saying all is well. */
    static HealthState effectiveState(HealthReport r, Instant now, boolean warningAsError) {
        if (r.expiredAt(now)) {
            return HealthState.Error;
        }
        return warningAsError && r.healthState() == HealthState.Warning ? HealthState.Error : r.healthState();
    }

    private HealthState effectiveState(HealthReport r, boolean warningAsError) {
        return effectiveState(r, now, warningAsError);
    }

    private String describe(HealthReport r, HealthState effective) {
        String what = r.sourceId() + "/" + r.property() + ": ";
        if (r.expiredAt(now)) {
            return what + "expired at " + r.expiresAt() + " (last reported " + r.healthState()
                    + (r.description().isEmpty() ? "" : ": " + r.description())
                    + "); an expired report without removeWhenExpired counts as Error";
        }
        return what + r.description() + (effective != r.healthState() ? " (Warning counted as Error)" : "");
    }

    /** One set of an entity's children and the policy threshold it is held to. */
    private record ChildSet(String kind, String childKind, List<HealthEntity> entities, int maxPercent) {
    }

    private List<ChildSet> childSets(HealthEntity entity) {
        return switch (entity) {
            case HealthEntity.Cluster x -> List.of(
                    new ChildSet("Nodes", "Node", topology.nodes(), clusterPolicy.maxPercentUnhealthyNodes()),
                    new ChildSet("Applications", "Application", topology.applications(),
                            clusterPolicy.maxPercentUnhealthyApplications()));
            case HealthEntity.Application x -> {
                ApplicationHealthPolicy p = applicationPolicy(x.name());
                yield List.of(
                        new ChildSet("Services", "Service", topology.services(x.name()), p.maxPercentUnhealthyServices()),
                        new ChildSet("DeployedApplications", "DeployedApplication", topology.deployedApplications(x.name()),
                                p.maxPercentUnhealthyDeployedApplications()));
            }
            case HealthEntity.Service x -> List.of(new ChildSet("Partitions", "Partition", topology.partitions(x.name()),
                    applicationPolicy(x.name().application()).maxPercentUnhealthyPartitionsPerService()));
            case HealthEntity.Partition x -> List.of(new ChildSet("Replicas", "Replica", topology.replicas(x),
                    applicationPolicy(x.service().application()).maxPercentUnhealthyReplicasPerPartition()));
            // Service Fabric has no threshold here: any unhealthy service package makes its deployed application unhealthy.
            case HealthEntity.DeployedApplication x -> List.of(new ChildSet("DeployedServicePackages",
                    "DeployedServicePackage", topology.deployedServicePackages(x), 0));
            case HealthEntity.Node x -> List.of();
            case HealthEntity.Replica x -> List.of();
            case HealthEntity.DeployedServicePackage x -> List.of();
        };
    }
}
