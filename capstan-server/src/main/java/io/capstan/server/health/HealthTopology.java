package io.capstan.server.health;

import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.health.ApplicationHealthPolicy;
import io.capstan.model.health.HealthEntity;
import io.capstan.model.manifest.ApplicationTypeManifest;
import io.capstan.model.manifest.RestartPolicy;
import io.capstan.state.ClusterSnapshot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The health tree over one snapshot: each entity's children and the records behind them. Indexed once
 * so evaluating the whole cluster stays linear in its size.
 */
final class HealthTopology {

    private final ClusterSnapshot s;
    private final Map<String, TreeSet<String>> nodesByApplication = new HashMap<>();

    HealthTopology(ClusterSnapshot s) {
        this.s = s;
        s.deployed().forEach((node, activations) -> activations.keySet()
                .forEach(k -> nodesByApplication.computeIfAbsent(k.application(), a -> new TreeSet<>()).add(node)));
    }

    ClusterSnapshot snapshot() {
        return s;
    }

    /** The policy the application's type declares (Service Fabric's default when the type is gone). */
    ApplicationHealthPolicy manifestPolicy(String application) {
        return manifest(application).map(ApplicationTypeManifest::healthPolicy).orElse(ApplicationHealthPolicy.DEFAULT);
    }

    /** The restart policy of a code package, for saying after how many failures its replicas move. */
    RestartPolicy restartPolicy(String application, String servicePackage, String codePackage) {
        return manifest(application).flatMap(m -> m.servicePackage(servicePackage))
                .flatMap(p -> p.codePackage(codePackage)).map(c -> c.restartPolicy()).orElse(RestartPolicy.DEFAULT);
    }

    private Optional<ApplicationTypeManifest> manifest(String application) {
        ApplicationRecord app = s.applications().get(application);
        return app == null ? Optional.empty()
                : s.applicationType(app.typeName(), app.typeVersion()).map(t -> t.manifest());
    }

    List<HealthEntity> nodes() {
        return s.nodes().keySet().stream().<HealthEntity>map(HealthEntity.Node::new).toList();
    }

    List<HealthEntity> applications() {
        return s.applications().keySet().stream().<HealthEntity>map(HealthEntity.Application::new).toList();
    }

    List<HealthEntity> services(String application) {
        return s.servicesOf(application).stream().<HealthEntity>map(x -> new HealthEntity.Service(x.name())).toList();
    }

    List<HealthEntity> deployedApplications(String application) {
        return nodesByApplication.getOrDefault(application, new TreeSet<>()).stream()
                .<HealthEntity>map(n -> new HealthEntity.DeployedApplication(n, application)).toList();
    }

    List<HealthEntity> partitions(ServiceName service) {
        ServiceRecord svc = s.services().get(service);
        return svc == null ? List.of() : svc.partitions().stream()
                .<HealthEntity>map(p -> new HealthEntity.Partition(service, p.id())).toList();
    }

    List<HealthEntity> replicas(HealthEntity.Partition partition) {
        return replicasOf(partition.partitionId()).stream()
                .<HealthEntity>map(r -> new HealthEntity.Replica(r.service(), r.partitionId(), r.id())).toList();
    }

    List<HealthEntity> deployedServicePackages(HealthEntity.DeployedApplication deployed) {
        return s.deployedOn(deployed.node()).stream().filter(d -> d.application().equals(deployed.application()))
                .<HealthEntity>map(d -> new HealthEntity.DeployedServicePackage(d.node(), d.application(),
                        d.servicePackage(), d.activationId())).toList();
    }

    List<ReplicaRecord> replicasOf(UUID partitionId) {
        return s.replicasOfPartition(partitionId);
    }

    Optional<ReplicaRecord> replica(HealthEntity.Replica x) {
        ReplicaRecord r = s.replicas().get(x.replicaId());
        return r != null && r.service().equals(x.service()) && r.partitionId().equals(x.partitionId())
                ? Optional.of(r) : Optional.empty();
    }

    Optional<DeployedServicePackage> activation(HealthEntity.DeployedServicePackage x) {
        return s.deployed(x.node(), new ActivationKey(x.application(), x.servicePackage(), x.activationId()));
    }

    /** The activation hosting a replica on its node, if its agent reports one. */
    Optional<DeployedServicePackage> activationOf(ReplicaRecord r) {
        ServiceRecord svc = s.services().get(r.service());
        return svc == null ? Optional.empty()
                : s.deployed(r.node(), new ActivationKey(r.service().application(), svc.servicePackage(), r.activationId()));
    }
}
