package io.capstan.model.health;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.capstan.model.ServiceName;
import java.util.Objects;
import java.util.UUID;

/**
 * Something health is reported on and aggregated for, written as text so the CLI, the API and the
 * state share one spelling:
 * <pre>
 * cluster
 * node:N1
 * app:HelloApp
 * service:HelloApp/CounterService
 * partition:HelloApp/CounterService/&lt;partition-id&gt;
 * replica:HelloApp/CounterService/&lt;partition-id&gt;/&lt;replica-id&gt;
 * deployed-app:N1/HelloApp
 * deployed-package:N1/HelloApp/CounterPkg[/&lt;activation-id&gt;]
 * </pre>
 */
public sealed interface HealthEntity extends Comparable<HealthEntity> {

    /** The textual form, e.g. {@code service:HelloApp/CounterService}. */
    @JsonValue
    String text();

    @Override
    default int compareTo(HealthEntity o) {
        return text().compareTo(o.text());
    }

    /** The whole cluster. */
    record Cluster() implements HealthEntity {
        @Override
        public String text() {
            return "cluster";
        }
    }

    /** A node. */
    record Node(String name) implements HealthEntity {
        @Override
        public String text() {
            return "node:" + name;
        }
    }

    /** An application. */
    record Application(String name) implements HealthEntity {
        @Override
        public String text() {
            return "app:" + name;
        }
    }

    /** A service. */
    record Service(ServiceName name) implements HealthEntity {
        @Override
        public String text() {
            return "service:" + name.application() + "/" + name.service();
        }
    }

    /** A partition of a service. */
    record Partition(ServiceName service, UUID partitionId) implements HealthEntity {
        @Override
        public String text() {
            return "partition:" + service.application() + "/" + service.service() + "/" + partitionId;
        }
    }

    /** A replica (or stateless instance) of a partition. */
    record Replica(ServiceName service, UUID partitionId, long replicaId) implements HealthEntity {
        @Override
        public String text() {
            return "replica:" + service.application() + "/" + service.service() + "/" + partitionId + "/" + replicaId;
        }
    }

    /** An application as deployed on one node. */
    record DeployedApplication(String node, String application) implements HealthEntity {
        @Override
        public String text() {
            return "deployed-app:" + node + "/" + application;
        }
    }

    /** One activation of a service package on a node ({@code activationId} empty for SharedProcess). */
    record DeployedServicePackage(String node, String application, String servicePackage, String activationId)
            implements HealthEntity {
        public DeployedServicePackage {
            activationId = activationId == null ? "" : activationId;
        }

        @Override
        public String text() {
            return "deployed-package:" + node + "/" + application + "/" + servicePackage
                    + (activationId.isEmpty() ? "" : "/" + activationId);
        }
    }

    /**
     * Parses the textual form; the message of the exception names the accepted forms.
     *
     * @throws IllegalArgumentException when the text is not one of the forms above
     */
    @JsonCreator
    static HealthEntity parse(String text) {
        Objects.requireNonNull(text, "entity");
        if (text.equals("cluster")) {
            return new Cluster();
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw invalid(text);
        }
        String kind = text.substring(0, colon);
        String[] parts = text.substring(colon + 1).split("/", -1);
        for (String p : parts) {
            if (p.isEmpty()) {
                throw invalid(text);
            }
        }
        HealthEntity entity;
        try {
            entity = switch (kind) {
                case "node" -> parts.length == 1 ? new Node(parts[0]) : null;
                case "app" -> parts.length == 1 ? new Application(parts[0]) : null;
                case "service" -> parts.length == 2 ? new Service(new ServiceName(parts[0], parts[1])) : null;
                case "partition" -> parts.length == 3
                        ? new Partition(new ServiceName(parts[0], parts[1]), UUID.fromString(parts[2])) : null;
                case "replica" -> parts.length == 4 ? new Replica(new ServiceName(parts[0], parts[1]),
                        UUID.fromString(parts[2]), Long.parseLong(parts[3])) : null;
                case "deployed-app" -> parts.length == 2 ? new DeployedApplication(parts[0], parts[1]) : null;
                case "deployed-package" -> parts.length == 3 || parts.length == 4 ? new DeployedServicePackage(
                        parts[0], parts[1], parts[2], parts.length == 4 ? parts[3] : "") : null;
                default -> null;
            };
        } catch (IllegalArgumentException e) { // a malformed partition id, replica id or service name
            throw invalid(text);
        }
        if (entity == null) {
            throw invalid(text);
        }
        return entity;
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("health entity '" + text + "' is not valid; write one of: cluster, node:NODE, "
                + "app:APP, service:APP/SVC, partition:APP/SVC/PARTITION-ID, replica:APP/SVC/PARTITION-ID/REPLICA-ID, "
                + "deployed-app:NODE/APP, deployed-package:NODE/APP/PACKAGE[/ACTIVATION-ID]");
    }
}
