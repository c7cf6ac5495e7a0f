package io.capstan.state;

import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ServiceRecord;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * An immutable view of the whole cluster state as of log index {@code index}: what readers,
 * controllers and the placement pipeline work from.
 */
public record ClusterSnapshot(
        long index,
        SortedMap<String, NodeRecord> nodes,
        SortedMap<String, SortedMap<String, ApplicationTypeRecord>> applicationTypes,
        SortedMap<String, ApplicationRecord> applications,
        SortedMap<ServiceName, ServiceRecord> services,
        SortedMap<Long, ReplicaRecord> replicas,
        SortedMap<String, SortedMap<ActivationKey, DeployedServicePackage>> deployed,
        SortedMap<HealthEntity, SortedMap<String, HealthReport>> healthReports,
        List<ClusterEvent> events) {

    /** The reports clients sent about {@code entity} (system reports are derived from the state, not stored). */
    public Collection<HealthReport> healthReportsOn(HealthEntity entity) {
        return healthReports.getOrDefault(entity, java.util.Collections.emptySortedMap()).values();
    }

    public Optional<ApplicationTypeRecord> applicationType(String name, String version) {
        return Optional.ofNullable(applicationTypes.getOrDefault(name, java.util.Collections.emptySortedMap()).get(version));
    }

    public List<ApplicationTypeRecord> applicationTypeList() {
        return applicationTypes.values().stream().flatMap(m -> m.values().stream()).toList();
    }

    public List<ServiceRecord> servicesOf(String application) {
        return services.values().stream().filter(s -> s.name().application().equals(application)).toList();
    }

    public List<ReplicaRecord> replicasOf(ServiceName service) {
        return replicas.values().stream().filter(r -> r.service().equals(service)).toList();
    }

    public List<ReplicaRecord> replicasOn(String node) {
        return replicas.values().stream().filter(r -> r.node().equals(node)).toList();
    }

    public Collection<DeployedServicePackage> deployedOn(String node) {
        return deployed.getOrDefault(node, java.util.Collections.emptySortedMap()).values();
    }

    public Optional<DeployedServicePackage> deployed(String node, ActivationKey key) {
        return Optional.ofNullable(deployed.getOrDefault(node, java.util.Collections.emptySortedMap()).get(key));
    }

    /** Events with an index greater than {@code afterIndex}, oldest first. */
    public List<ClusterEvent> eventsAfter(long afterIndex) {
        return events.stream().filter(e -> e.index() > afterIndex).toList();
    }
}
