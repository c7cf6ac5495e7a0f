package io.capstan.server.health;

import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.health.HealthEntity;
import io.capstan.state.ClusterSnapshot;

/** Facts about health entities that need no index: whether one exists, which application it belongs to. */
public final class HealthEntities {

    private HealthEntities() {
    }

    /** Whether the snapshot has the entity (what reports on it and health queries for it need). */
    public static boolean exists(ClusterSnapshot s, HealthEntity entity) {
        return switch (entity) {
            case HealthEntity.Cluster x -> true;
            case HealthEntity.Node x -> s.nodes().containsKey(x.name());
            case HealthEntity.Application x -> s.applications().containsKey(x.name());
            case HealthEntity.Service x -> s.services().containsKey(x.name());
            case HealthEntity.Partition x -> {
                yield s.partition(x.partitionId()).map(p -> p.service().equals(x.service())).orElse(false);
            }
            case HealthEntity.Replica x -> {
                ReplicaRecord r = s.replicas().get(x.replicaId());
                yield r != null && r.service().equals(x.service()) && r.partitionId().equals(x.partitionId());
            }
            case HealthEntity.DeployedApplication x -> s.deployedOn(x.node()).stream()
                    .anyMatch(d -> d.application().equals(x.application()));
            case HealthEntity.DeployedServicePackage x -> s.deployed(x.node(),
                    new ActivationKey(x.application(), x.servicePackage(), x.activationId())).isPresent();
        };
    }

    /** The application an entity belongs to, or null for the cluster and nodes. */
    public static String applicationOf(HealthEntity entity) {
        return switch (entity) {
            case HealthEntity.Cluster x -> null;
            case HealthEntity.Node x -> null;
            case HealthEntity.Application x -> x.name();
            case HealthEntity.Service x -> x.name().application();
            case HealthEntity.Partition x -> x.service().application();
            case HealthEntity.Replica x -> x.service().application();
            case HealthEntity.DeployedApplication x -> x.application();
            case HealthEntity.DeployedServicePackage x -> x.application();
        };
    }

    /** Why an entity is not there, and the command that lists the ones that are. */
    public static String missing(HealthEntity entity) {
        String look = switch (entity) {
            case HealthEntity.Node x -> "`capstan node list`";
            case HealthEntity.Application x -> "`capstan app list`";
            case HealthEntity.Service x -> "`capstan service list " + x.name().application() + "`";
            case HealthEntity.Partition x -> "`capstan service show " + x.service().shortName() + "`";
            case HealthEntity.Replica x -> "`capstan replica list " + x.service().shortName() + "`";
            case HealthEntity.DeployedApplication x -> "`capstan deployed list --node " + x.node() + "`";
            case HealthEntity.DeployedServicePackage x -> "`capstan deployed list --node " + x.node() + "`";
            case HealthEntity.Cluster x -> "`capstan cluster status`";
        };
        return "health entity " + entity.text() + " does not exist in the cluster; see " + look;
    }
}
