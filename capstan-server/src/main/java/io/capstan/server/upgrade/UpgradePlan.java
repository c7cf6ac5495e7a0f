package io.capstan.server.upgrade;

import io.capstan.model.PartitionKey;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.manifest.ParameterSubstitution;
import io.capstan.model.manifest.ServicePackageManifest;
import io.capstan.state.ClusterSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an upgrade would do, domain by domain, computed from the state without committing anything
 * ({@code capstan upgrade start --dry-run}): the nodes and replicas of each domain, what happens to each activated
 * package there, and which Primaries would be handed over to which replicas.
 */
public record UpgradePlan(String application, String fromVersion, String toVersion, Map<String, String> parameters,
                          List<DomainPlan> domains) {

    /** One domain of the walk. */
    public record DomainPlan(String name, List<String> nodes, List<PlannedReplica> replicas, List<PackagePlan> packages,
                             List<PrimaryMove> primaryMoves) {
    }

    /** A replica the domain's upgrade touches. */
    public record PlannedReplica(long id, String service, String node, ReplicaRole role, ReplicaStatus status) {
    }

    /** An activated package and what the upgrade does to it: Unchanged, Refresh or Restart, and why. */
    public record PackagePlan(String node, String servicePackage, String activationId, ServicePackageChange action,
                              String why) {
    }

    /** A Primary handed over before its domain stops; {@code toReplica} null when no Ready secondary is elsewhere yet. */
    public record PrimaryMove(String service, PartitionKey partition, long fromReplica, String fromNode, Long toReplica,
                              String toNode) {
    }

    public static UpgradePlan of(ClusterSnapshot state, ApplicationRecord app, ApplicationTypeRecord target,
                                 Map<String, String> toParameters, List<String> domainOrder) {
        ApplicationTypeRecord current = state.applicationType(app.typeName(), app.typeVersion()).orElseThrow();
        Map<String, ServicePackageChange.Judged> changes = new LinkedHashMap<>();
        for (ServicePackageManifest pkg : current.manifest().servicePackages()) {
            target.manifest().servicePackage(pkg.name()).ifPresent(next -> changes.put(pkg.name(), ServicePackageChange.between(
                    ParameterSubstitution.resolve(pkg, app.parameters()), ParameterSubstitution.resolve(next, toParameters))));
        }
        List<DomainPlan> domains = new ArrayList<>();
        for (String domain : domainOrder) {
            List<String> nodes = new ArrayList<>();
            List<PlannedReplica> replicas = new ArrayList<>();
            Set<ActivationKey> seen = new TreeSet<>();
            List<PackagePlan> packages = new ArrayList<>();
            List<PrimaryMove> moves = new ArrayList<>();
            for (NodeRecord n : state.nodes().values()) {
                if (!n.description().upgradeDomain().equals(domain)) {
                    continue;
                }
                nodes.add(n.name());
                for (ReplicaRecord r : state.replicasOn(n.name())) {
                    if (!r.service().application().equals(app.name())) {
                        continue;
                    }
                    ServiceRecord s = state.services().get(r.service());
                    replicas.add(new PlannedReplica(r.id(), r.service().shortName(), n.name(), r.role(), r.status()));
                    ActivationKey key = new ActivationKey(app.name(), s.servicePackage(), r.activationId());
                    if (seen.add(key)) {
                        ServicePackageChange.Judged c = changes.get(s.servicePackage());
                        packages.add(new PackagePlan(n.name(), s.servicePackage(), r.activationId(), c.change(), c.why()));
                    }
                    if (r.role() == ReplicaRole.Primary) {
                        moves.add(primaryMove(state, r, domain));
                    }
                }
            }
            domains.add(new DomainPlan(domain, nodes, replicas, packages, moves));
        }
        return new UpgradePlan(app.name(), app.typeVersion(), target.version(), toParameters, domains);
    }

    /** The replica a Primary would be handed to now: the lowest-id Ready secondary outside the domain, as the handover picks. */
    private static PrimaryMove primaryMove(ClusterSnapshot state, ReplicaRecord primary, String domain) {
        ReplicaRecord to = null;
        for (ReplicaRecord other : state.replicasOfPartition(primary.partitionId())) {
            NodeRecord n = state.nodes().get(other.node());
            boolean fit = other.role() == ReplicaRole.ActiveSecondary && other.status() == ReplicaStatus.Ready && n != null
                    && n.status() == NodeStatus.Up && !n.description().upgradeDomain().equals(domain);
            if (fit && (to == null || other.id() < to.id())) {
                to = other;
            }
        }
        PartitionKey partition = state.partition(primary.partitionId()).map(p -> p.partition().key()).orElse(null);
        return new PrimaryMove(primary.service().shortName(), partition, primary.id(), primary.node(),
                to == null ? null : to.id(), to == null ? null : to.node());
    }
}
