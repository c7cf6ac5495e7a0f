package io.capstan.server.health;

import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.ProbeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import io.capstan.server.ReplicaTargets;
import io.capstan.state.ClusterSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Which {@link SystemReports} rules apply to which entity, and the records each rule reads. */
final class DerivedReports {

    private final HealthTopology topology;
    private final ClusterSnapshot s;
    private final Instant now;

    DerivedReports(HealthTopology topology, Instant now) {
        this.topology = topology;
        this.s = topology.snapshot();
        this.now = now;
    }

    /** The system reports on an existing entity. */
    List<HealthReport> on(HealthEntity entity) {
        List<HealthReport> out = new ArrayList<>();
        switch (entity) {
            case HealthEntity.Node x -> {
                NodeRecord n = s.nodes().get(x.name());
                out.add(SystemReports.nodeState(n, s.replicasOn(n.name()).size()).on(entity, s.index(), n.since()));
                SystemReports.resourceLimits(n).ifPresent(r -> out.add(r.on(entity, s.index(), now)));
            }
            case HealthEntity.Service x -> SystemReports.unplaced(s.services().get(x.name()))
                    .ifPresent(r -> out.add(r.on(entity, s.index(), now)));
            case HealthEntity.Partition x -> {
                ServiceRecord svc = s.services().get(x.service());
                out.add(SystemReports.partitionState(svc, ReplicaTargets.perPartition(s, svc),
                        topology.replicasOf(x.partitionId())).on(entity, s.index(), now));
            }
            case HealthEntity.Replica x -> {
                ReplicaRecord r = topology.replica(x).orElseThrow();
                DeployedServicePackage d = topology.activationOf(r).orElse(null);
                String pkg = s.services().get(r.service()).servicePackage();
                out.add(SystemReports.replicaState(r, s.nodes().get(r.node()), d,
                        cp -> topology.restartPolicy(r.service().application(), pkg, cp).moveAfterFailures())
                        .on(entity, s.index(), now));
                if (d != null) {
                    codePackages(entity, d, out);
                }
            }
            case HealthEntity.DeployedServicePackage x -> {
                DeployedServicePackage d = topology.activation(x).orElseThrow();
                out.add(SystemReports.activation(d).on(entity, s.index(), now));
                codePackages(entity, d, out);
            }
            case HealthEntity.Cluster x -> out.add(SystemReports.clusterNodes(s.nodes().values()).on(entity, s.index(), now));
            case HealthEntity.Application x -> {
                ApplicationRecord a = s.applications().get(x.name());
                out.add(SystemReports.applicationState(a).on(entity, s.index(), a.createdAt()));
            }
            case HealthEntity.DeployedApplication x -> out.add(SystemReports.deployedApplication(s.deployedOn(x.node()).stream()
                    .filter(d -> d.application().equals(x.application())).toList()).on(entity, s.index(), now));
        }
        return out;
    }

    /** What the hosting activation says about its code packages and their probes. */
    private void codePackages(HealthEntity entity, DeployedServicePackage d, List<HealthReport> out) {
        for (CodePackageStatus cp : d.codePackages()) {
            SystemReports.codePackage(cp).ifPresent(r -> out.add(r.on(entity, s.index(),
                    cp.lastExitAt() != null ? cp.lastExitAt() : now)));
            for (ProbeStatus p : cp.probes()) {
                out.add(SystemReports.probe(cp.name(), p).on(entity, s.index(), p.since() != null ? p.since() : now));
            }
        }
    }
}
