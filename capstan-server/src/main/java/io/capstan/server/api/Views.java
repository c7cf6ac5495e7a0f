package io.capstan.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.capstan.model.PartitionKey;
import io.capstan.model.PartitionScheme;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.NodeDisableIntent;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.DefaultServiceManifest;
import io.capstan.model.manifest.ServiceTypeManifest;
import io.capstan.state.ClusterSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The JSON shapes the API returns (docs/API.md), built from a state snapshot. */
public final class Views {

    private Views() {
    }

    /** A list response. */
    public record Items<T>(List<T> items) {
    }

    /** Wanted, placed and ready replica counts. */
    public record ReplicaCounts(int wanted, int placed, int ready) {
        ReplicaCounts plus(ReplicaCounts o) {
            return new ReplicaCounts(wanted + o.wanted, placed + o.placed, ready + o.ready);
        }
    }

    /** A registered application type version. */
    public record ApplicationTypeView(String name, String version, String packageDigest, long packageSize,
            Instant registeredAt, Map<String, String> parameters, List<ServicePackageSummary> servicePackages,
            List<String> defaultServices, List<String> applications) {
    }

    /** A service package as an application type lists it. */
    public record ServicePackageSummary(String name, String version, List<ServiceTypeManifest> serviceTypes,
            List<String> codePackages) {
    }

    public static ApplicationTypeView applicationType(ClusterSnapshot s, ApplicationTypeRecord t) {
        return new ApplicationTypeView(t.name(), t.version(), t.packageDigest(), t.packageSize(), t.registeredAt(),
                t.manifest().parameters(),
                t.manifest().servicePackages().stream().map(p -> new ServicePackageSummary(p.name(), p.version(),
                        p.serviceTypes(), p.codePackages().stream().map(CodePackageManifest::name).toList())).toList(),
                t.manifest().defaultServices().stream().map(DefaultServiceManifest::name).toList(),
                s.applications().values().stream()
                        .filter(a -> a.typeName().equals(t.name()) && a.typeVersion().equals(t.version()))
                        .map(ApplicationRecord::name).toList());
    }

    /** An application; {@code upgrade} is its latest upgrade in brief (null when it was never upgraded). */
    public record ApplicationView(String name, String uri, String type, String version, Map<String, String> parameters,
            Instant createdAt, List<String> services, ReplicaCounts replicas, boolean converged, UpgradeSummary upgrade) {
    }

    /** An upgrade in brief: see {@code GET /v1/apps/{app}/upgrade} for all of it. */
    public record UpgradeSummary(String state, String fromVersion, String toVersion, String currentDomain) {
    }

    public static ApplicationView application(ClusterSnapshot s, ApplicationRecord a) {
        List<ServiceView> services = s.servicesOf(a.name()).stream().map(x -> service(s, x)).toList();
        ReplicaCounts total = services.stream().map(ServiceView::replicas).reduce(new ReplicaCounts(0, 0, 0), ReplicaCounts::plus);
        var u = a.upgrade();
        UpgradeSummary upgrade = u == null ? null : new UpgradeSummary(u.state().name(), u.fromVersion(), u.toVersion(),
                u.currentDomain().map(d -> d.name()).orElse(null));
        return new ApplicationView(a.name(), a.uri(), a.typeName(), a.typeVersion(), a.parameters(), a.createdAt(),
                services.stream().map(ServiceView::name).toList(), total, services.stream().allMatch(ServiceView::converged),
                upgrade);
    }

    /** A service with its per-partition progress. */
    public record ServiceView(String name, String application, String uri, String serviceType, String kind,
            String activation, String servicePackage, PartitionScheme partitionScheme, int instanceCount,
            int targetReplicaSetSize, int minReplicaSetSize, String placementConstraints, List<PartitionView> partitions,
            ReplicaCounts replicas, String placementProblem, boolean converged, Instant createdAt) {
    }

    /** One partition's progress. */
    public record PartitionView(UUID id, PartitionKey key, int wanted, int placed, int ready, String primary) {
    }

    public static ServiceView service(ClusterSnapshot s, ServiceRecord svc) {
        int wanted = wantedPerPartition(s, svc);
        List<PartitionView> partitions = svc.partitions().stream().map(p -> {
            List<ReplicaRecord> mine = s.replicasOfPartition(p.id());
            int ready = (int) mine.stream().filter(r -> r.status() == ReplicaStatus.Ready).count();
            String primary = mine.stream().filter(r -> r.role() == ReplicaRole.Primary).map(ReplicaRecord::node)
                    .findFirst().orElse(null);
            return new PartitionView(p.id(), p.key(), wanted, mine.size(), ready, primary);
        }).toList();
        ReplicaCounts counts = partitions.stream().map(p -> new ReplicaCounts(p.wanted(), p.placed(), p.ready()))
                .reduce(new ReplicaCounts(0, 0, 0), ReplicaCounts::plus);
        boolean converged = svc.placementProblem() == null
                && partitions.stream().allMatch(p -> p.ready() == p.wanted() && p.placed() == p.wanted());
        return new ServiceView(svc.name().service(), svc.name().application(), svc.name().uri(), svc.spec().serviceType(),
                svc.spec().kind().wireName(), svc.spec().activation().wireName(), svc.servicePackage(),
                svc.spec().partitions(), svc.spec().instanceCount(), svc.spec().targetReplicaSetSize(),
                svc.spec().minReplicaSetSize(), svc.spec().placementConstraints(), partitions, counts,
                svc.placementProblem(), converged, svc.createdAt());
    }

    /** Replicas each partition should have: for instanceCount -1, one per Up node that meets the constraint. */
    static int wantedPerPartition(ClusterSnapshot s, ServiceRecord svc) {
        return io.capstan.server.ReplicaTargets.perPartition(s, svc);
    }

    /** One replica. */
    public record ReplicaView(long id, String service, UUID partitionId, PartitionKey partition, String node,
            ReplicaRole role, ReplicaStatus status, String activationId) {
    }

    public static ReplicaView replica(ClusterSnapshot s, ReplicaRecord r) {
        PartitionKey key = s.partition(r.partitionId()).map(p -> p.partition().key()).orElse(null);
        return new ReplicaView(r.id(), r.service().shortName(), r.partitionId(), key, r.node(), r.role(), r.status(),
                r.activationId());
    }

    /** A published endpoint of a Ready replica. */
    public record EndpointView(String node, long replicaId, ReplicaRole role, UUID partitionId, PartitionKey partition,
            String endpoint, String address) {
    }

    /** A node. */
    /**
     * A node; {@code resources} says per metric what its replicas request (what placement counts), what its code
     * packages use as its agent last measured ({@code measuredAt}; cpu and memoryMiB only) and what it offers.
     * {@code usage} (one node's view only) lists each measured code package.
     */
    public record NodeView(String name, String address, String faultDomain, String upgradeDomain, NodeStatus status,
            Instant since, String reason, NodeDisableIntent disableIntent, Instant lastHeartbeat,
            Map<String, Double> capacities, Map<String, String> properties, int replicas, int deployedServicePackages,
            Map<String, ResourceView> resources, Instant measuredAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<io.capstan.model.cluster.CodePackageUsage> usage) {
    }

    /** One metric of a node: requested by its replicas, used as measured (null when not measured), offered. */
    public record ResourceView(double requested, Double used, Double capacity) {
    }

    /**
     * @param measured what the node's agent last measured, or null
     * @param detailed whether to list each code package's use
     */
    static NodeView node(ClusterSnapshot s, NodeRecord n, Instant lastHeartbeat, MeasuredUsage.NodeMeasurement measured,
                         boolean detailed) {
        Map<String, Double> capacities = n.description().capacities();
        io.capstan.state.NodeUsage requested = s.usageOn(n.name());
        Map<String, Double> used = measured == null ? Map.of() : measured.totals();
        java.util.Set<String> metrics = new java.util.TreeSet<>(capacities.keySet());
        metrics.addAll(requested.usedMicros().keySet());
        metrics.addAll(used.keySet());
        Map<String, ResourceView> resources = new java.util.LinkedHashMap<>();
        for (String metric : metrics) {
            resources.put(metric, new ResourceView(requested.used(metric), used.get(metric), capacities.get(metric)));
        }
        return new NodeView(n.name(), n.description().address(), n.description().faultDomain(),
                n.description().upgradeDomain(), n.status(), n.since(), n.reason(), n.disableIntent(), lastHeartbeat,
                capacities, n.description().properties(), s.replicasOn(n.name()).size(),
                s.deployedOn(n.name()).size(), resources, measured == null ? null : measured.at(),
                detailed ? (measured == null ? List.of() : measured.usage()) : null);
    }

    /** The deployed service packages of one node. */
    public record DeployedView(String node, List<DeployedServicePackage> items) {
    }

    /** The cluster at a glance. */
    public record ClusterStatusView(String leader, String self, long index, List<ServerView> servers, NodeCounts nodes,
            int applicationTypes, int applications, int services, ReplicaTotals replicas) {
    }

    /** One control-plane server. */
    public record ServerView(String id, String raftAddress, boolean leader, String apiUrl) {
    }

    /** Nodes by status. */
    public record NodeCounts(int total, int up, int down, int disabled) {
    }

    /** Replicas in all and Ready. */
    public record ReplicaTotals(int total, int ready) {
    }
}
