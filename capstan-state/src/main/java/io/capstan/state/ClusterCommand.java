package io.capstan.state;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.capstan.model.PartitionKey;
import io.capstan.model.ServiceName;
import io.capstan.model.ServiceSpec;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.cluster.NodeDisableIntent;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.PartitionRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.health.HealthReport;
import io.capstan.model.upgrade.UpgradePolicy;
import io.capstan.model.upgrade.UpgradeWait;
import io.capstan.model.wire.NodeReport;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Every change to the cluster state is one of these records, appended to the Raft log and applied
 * deterministically. Whatever is not deterministic (times, generated ids) is stamped in by the submitter, so
 * {@code apply} reads no clock and draws no random number. Each command belongs to one group, whose handler
 * validates and applies it; in the log a command is named by its stable type name (never a Java class name),
 * so classes can be renamed without breaking the log.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ClusterCommand.RegisterNode.class, name = "node.register"),
    @JsonSubTypes.Type(value = ClusterCommand.SetNodeStatus.class, name = "node.status"),
    @JsonSubTypes.Type(value = ClusterCommand.DisableNode.class, name = "node.disable"),
    @JsonSubTypes.Type(value = ClusterCommand.EnableNode.class, name = "node.enable"),
    @JsonSubTypes.Type(value = ClusterCommand.RemoveNode.class, name = "node.remove"),
    @JsonSubTypes.Type(value = ClusterCommand.RegisterApplicationType.class, name = "apptype.register"),
    @JsonSubTypes.Type(value = ClusterCommand.UnregisterApplicationType.class, name = "apptype.unregister"),
    @JsonSubTypes.Type(value = ClusterCommand.CreateApplication.class, name = "app.create"),
    @JsonSubTypes.Type(value = ClusterCommand.DeleteApplication.class, name = "app.delete"),
    @JsonSubTypes.Type(value = ClusterCommand.CreateService.class, name = "service.create"),
    @JsonSubTypes.Type(value = ClusterCommand.UpdateService.class, name = "service.update"),
    @JsonSubTypes.Type(value = ClusterCommand.DeleteService.class, name = "service.delete"),
    @JsonSubTypes.Type(value = ClusterCommand.ApplyPlacement.class, name = "placement.apply"),
    @JsonSubTypes.Type(value = ClusterCommand.ReportNode.class, name = "agent.report"),
    @JsonSubTypes.Type(value = ClusterCommand.ReportHealth.class, name = "health.report"),
    @JsonSubTypes.Type(value = ClusterCommand.ExpireHealthReports.class, name = "health.expire"),
    @JsonSubTypes.Type(value = ClusterCommand.StartUpgrade.class, name = "upgrade.start"),
    @JsonSubTypes.Type(value = ClusterCommand.StepUpgrade.class, name = "upgrade.step"),
    @JsonSubTypes.Type(value = ClusterCommand.ResumeUpgrade.class, name = "upgrade.resume"),
    @JsonSubTypes.Type(value = ClusterCommand.RollBackUpgrade.class, name = "upgrade.rollback"),
    @JsonSubTypes.Type(value = ClusterCommand.AnnounceServer.class, name = "server.announce"),
    @JsonSubTypes.Type(value = ClusterCommand.BootstrapAcl.class, name = "acl.bootstrap"),
    @JsonSubTypes.Type(value = ClusterCommand.CreateAclToken.class, name = "acl.token.create"),
    @JsonSubTypes.Type(value = ClusterCommand.RevokeAclToken.class, name = "acl.token.revoke"),
    @JsonSubTypes.Type(value = ClusterCommand.Audited.class, name = "audited")
})
public sealed interface ClusterCommand {

    /** When the submitter issued the command; used for event times and "since" fields. */
    Instant at();

    /** The command's stable type name in the log ({@code app.create}, ...), as the audit trail shows it. */
    static String typeName(ClusterCommand command) {
        for (JsonSubTypes.Type t : ClusterCommand.class.getAnnotation(JsonSubTypes.class).value()) {
            if (t.value() == command.getClass()) {
                return t.name();
            }
        }
        throw new IllegalArgumentException("no type name for " + command.getClass());
    }

    /** Commands on node records: registration, liveness, maintenance, removal. */
    sealed interface NodeCommand extends ClusterCommand {
    }

    /** Commands on application types, applications and services. */
    sealed interface ApplicationCommand extends ClusterCommand {
    }

    /** Placement plans from the leader's placement controller. */
    sealed interface PlacementCommand extends ClusterCommand {
    }

    /** Health reports from clients. */
    sealed interface HealthCommand extends ClusterCommand {
    }

    /** What agents observe on their nodes. */
    sealed interface AgentCommand extends ClusterCommand {
    }

    /** Application upgrades: started and steered by operators, walked domain by domain by the leader's controller. */
    sealed interface UpgradeCommand extends ClusterCommand {
        String application();
    }

    /** Commands on the control-plane servers themselves. */
    sealed interface MemberCommand extends ClusterCommand {
    }

    /** Access control: the tokens (stored by the SHA-256 of their secret, never the secret itself). */
    sealed interface AclCommand extends ClusterCommand {
    }

    /** Registers (or re-registers) a node; it is Up afterwards. */
    record RegisterNode(NodeDescription node, Instant at) implements NodeCommand {
    }

    /**
     * Marks a node Down (it missed heartbeats) or Up again (they resumed). Only Up and Down: an operator
     * disables a node with {@link DisableNode}, and a disabled node that comes back is still disabled.
     */
    record SetNodeStatus(String name, NodeStatus status, String reason, Instant at) implements NodeCommand {
    }

    /** An operator takes a node out of service: its replicas are moved off gracefully, then it is Disabled. */
    record DisableNode(String name, NodeDisableIntent intent, Instant at) implements NodeCommand {
    }

    /** An operator puts a disabled node back into service. */
    record EnableNode(String name, Instant at) implements NodeCommand {
    }

    /** Deletes the record of a node that holds no replicas and is Disabled with intent Remove, or Down. */
    record RemoveNode(String name, Instant at) implements NodeCommand {
    }

    /** Registers a version of an application type whose package content is already stored. */
    record RegisterApplicationType(ApplicationTypeRecord type, Instant at) implements ApplicationCommand {
    }

    /** Removes a registered application type version that no application uses. */
    record UnregisterApplicationType(String name, String version, Instant at) implements ApplicationCommand {
    }

    /** Creates an application and, atomically, its default services. */
    record CreateApplication(ApplicationRecord application, List<NewService> defaultServices, Instant at)
            implements ApplicationCommand {
        public CreateApplication {
            defaultServices = defaultServices == null ? List.of() : List.copyOf(defaultServices);
        }
    }

    /** Deletes an application with all its services and replicas. */
    record DeleteApplication(String name, Instant at) implements ApplicationCommand {
    }

    /** Creates a service. */
    record CreateService(NewService service, Instant at) implements ApplicationCommand {
    }

    /** Changes a service's size or placement constraint; its activation mode and partitioning are fixed. */
    record UpdateService(ServiceName name, ServiceSpec spec, Instant at) implements ApplicationCommand {
    }

    /** Deletes a service and its replicas. */
    record DeleteService(ServiceName name, Instant at) implements ApplicationCommand {
    }

    /**
     * A service to create: its partition ids are derived from {@code partitionSeed} (random, drawn by the
     * submitter), so the command stays a few hundred bytes however many partitions the service has.
     */
    record NewService(ServiceName name, ServiceSpec spec, String servicePackage, UUID partitionSeed) {

        /** The service's partitions, in the scheme's order, with ids derived from the seed. */
        public List<PartitionRecord> partitions() {
            List<PartitionKey> keys = spec.partitions().partitionKeys();
            List<PartitionRecord> out = new ArrayList<>(keys.size());
            ByteBuffer bytes = ByteBuffer.allocate(24);
            for (int i = 0; i < keys.size(); i++) {
                bytes.clear();
                bytes.putLong(partitionSeed.getMostSignificantBits()).putLong(partitionSeed.getLeastSignificantBits()).putLong(i);
                out.add(new PartitionRecord(UUID.nameUUIDFromBytes(bytes.array()), keys.get(i)));
            }
            return out;
        }

        public ServiceRecord toRecord(Instant createdAt) {
            return new ServiceRecord(name, spec, servicePackage, partitions(), createdAt, null);
        }
    }

    /**
     * Health reports from clients (never from a {@code System.} source), stamped with the accepting
     * server's time; all are applied or, if any is stale or names a missing entity, none.
     */
    record ReportHealth(List<HealthReport> reports, Instant at) implements HealthCommand {
        public ReportHealth {
            reports = reports == null ? List.of() : List.copyOf(reports);
        }
    }

    /** Drops reports with {@code removeWhenExpired} whose time to live has passed at {@code at}. */
    record ExpireHealthReports(Instant at) implements HealthCommand {
    }

    /**
     * One part of a placement plan computed by the leader at {@code basedOnIndex}. The plan applier re-checks
     * every placement against the state it is applied to (node still Up, partition still there, one replica
     * per node, capacity) and refuses the parts that no longer fit; the controller plans them again. A large
     * plan is split into several of these, each well under the Raft entry limit, applied in order.
     */
    record ApplyPlacement(
            long basedOnIndex,
            List<NewReplica> placements,
            List<Removal> removals,
            List<RoleAssignment> roleChanges,
            Map<ServiceName, String> problems,
            Instant at) implements PlacementCommand {

        public ApplyPlacement {
            placements = placements == null ? List.of() : List.copyOf(placements);
            removals = removals == null ? List.of() : List.copyOf(removals);
            roleChanges = roleChanges == null ? List.of() : List.copyOf(roleChanges);
            problems = problems == null ? Map.of() : Map.copyOf(problems);
        }

        @com.fasterxml.jackson.annotation.JsonIgnore // derived, not part of the record
        public boolean isEmpty() {
            return placements.isEmpty() && removals.isEmpty() && roleChanges.isEmpty() && problems.isEmpty();
        }
    }

    /** A replica to create; {@code activationId} is generated by the leader for ExclusiveProcess, "" otherwise. */
    record NewReplica(ServiceName service, UUID partitionId, String node, ReplicaRole role, String activationId) {
    }

    /** A replica to remove and why (shown in its event). */
    record Removal(long replicaId, String reason) {
    }

    /** A role change of an existing replica. */
    record RoleAssignment(long replicaId, ReplicaRole role) {
    }

    /** What an agent observed on its node; replica statuses are derived from it. */
    record ReportNode(NodeReport report, Instant at) implements AgentCommand {
    }

    /**
     * Starts upgrading an application to {@code toVersion} with {@code parameters} (its current values with the
     * operator's changes applied), walking {@code domains} in that order. {@code forced}: an operator started it
     * although the application was unhealthy.
     */
    record StartUpgrade(String application, String toVersion, Map<String, String> parameters, UpgradePolicy policy,
                        List<String> domains, boolean forced, Instant at) implements UpgradeCommand {
        public StartUpgrade {
            parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
            domains = domains == null ? List.of() : List.copyOf(domains);
        }
    }

    /** One step of the upgrade controller, computed from the upgrade at {@code revision}. */
    record StepUpgrade(String application, long revision, UpgradeStep step, Instant at) implements UpgradeCommand {
    }

    /** An operator lets a paused (RollingForwardPending) or failed upgrade go on. */
    record ResumeUpgrade(String application, Instant at) implements UpgradeCommand {
    }

    /** An operator rolls a running upgrade back. */
    record RollBackUpgrade(String application, String reason, Instant at) implements UpgradeCommand {
    }

    /** What the upgrade controller does next; the handler checks it fits the upgrade's state. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "step")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = UpgradeStep.StartDomain.class, name = "start-domain"),
        @JsonSubTypes.Type(value = UpgradeStep.CompleteDomain.class, name = "complete-domain"),
        @JsonSubTypes.Type(value = UpgradeStep.Await.class, name = "wait"),
        @JsonSubTypes.Type(value = UpgradeStep.Fail.class, name = "fail"),
        @JsonSubTypes.Type(value = UpgradeStep.RollBackDomain.class, name = "rollback-domain"),
        @JsonSubTypes.Type(value = UpgradeStep.CompleteRollBackDomain.class, name = "rolled-back-domain"),
        @JsonSubTypes.Type(value = UpgradeStep.Finish.class, name = "finish")
    })
    sealed interface UpgradeStep {

        /**
         * The nodes of {@code domain} start running the target version; Primaries there are first handed over to
         * Ready secondaries in other domains.
         */
        record StartDomain(String domain) implements UpgradeStep {
        }

        /** {@code domain} runs the target version and passed its checks (UnmonitoredManual then waits for a resume). */
        record CompleteDomain(String domain, String result) implements UpgradeStep {
        }

        /** What the current domain waits for changed. */
        record Await(UpgradeWait waitingFor, List<String> healthEvaluations) implements UpgradeStep {
            public Await {
                healthEvaluations = healthEvaluations == null ? List.of() : List.copyOf(healthEvaluations);
            }
        }

        /**
         * Health or a timeout failed: rolling forward, roll back or stop as Failed, as the failure action says; rolling
         * back (a domain did not go back in time), stop as Failed.
         */
        record Fail(String reason, List<String> healthEvaluations) implements UpgradeStep {
            public Fail {
                healthEvaluations = healthEvaluations == null ? List.of() : List.copyOf(healthEvaluations);
            }
        }

        /** The nodes of {@code domain} go back to the version the upgrade started from. */
        record RollBackDomain(String domain) implements UpgradeStep {
        }

        /** {@code domain} runs the starting version again. */
        record CompleteRollBackDomain(String domain) implements UpgradeStep {
        }

        /** Every domain is done: the application is on the target (rolling forward) or on the start (rolling back). */
        record Finish() implements UpgradeStep {
        }
    }

    /**
     * A server says where its REST API listens (on every start), so every other server can send agents to the
     * leader and fetch packages from its peers.
     */
    record AnnounceServer(String server, String apiUrl, Instant at) implements MemberCommand {
    }

    /** Creates the first admin token; refused once the cluster's ACLs have been bootstrapped. */
    record BootstrapAcl(AclToken token, Instant at) implements AclCommand {
    }

    /** Creates a token (its id and the hash of its secret were generated by the submitter). */
    record CreateAclToken(AclToken token, Instant at) implements AclCommand {
    }

    /** Deletes a token: from the moment this is applied, its secret is refused. */
    record RevokeAclToken(String id, Instant at) implements AclCommand {
    }

    /**
     * A write accepted through the API, with who made it: {@code command} is checked and applied as if it came
     * alone, and when it applies, {@code audit} is kept in the audit trail in the same step (all or nothing).
     */
    record Audited(AuditRecord audit, ClusterCommand command) implements ClusterCommand {
        @Override
        public Instant at() {
            return command == null ? null : command.at();
        }
    }
}
