package io.capstan.server.health;

import io.capstan.model.ServiceKind;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.DeployedServicePackage.ActivationState;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.ProbeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.cluster.ReplicaStatus;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.health.HealthState;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * The rules that turn state into system reports, one small function each. Sources follow Service
 * Fabric's: System.FM (nodes, partitions), System.RA (replicas), System.PLB (placement), System.Hosting
 * (activations, code packages, node resources) and System.Probe (probe outcomes).
 */
public final class SystemReports {

    public static final String FM = "System.FM";
    public static final String CM = "System.CM";
    public static final String RA = "System.RA";
    public static final String PLB = "System.PLB";
    public static final String HOSTING = "System.Hosting";
    public static final String PROBE = "System.Probe";

    /** The node property agents set to say whether cgroup limits are enforced. */
    public static final String LIMITS_ENFORCED_PROPERTY = "capstan.limitsEnforced";
    /** An optional node property saying why limits are not enforced. */
    public static final String LIMITS_PROBLEM_PROPERTY = "capstan.limitsProblem";

    /** Long stderr tails are cut to their end: the last lines say why a process died. */
    static final int MAX_STDERR = 1000;

    private SystemReports() {
    }

    /** System.FM/State of a node; {@code replicasLeft} is how many replicas a Disabling node still holds. */
    public static SystemReport nodeState(NodeRecord n, int replicasLeft) {
        return switch (n.status()) {
            case Up -> new SystemReport(FM, "State", HealthState.Ok, "Up since " + n.since());
            case Down -> new SystemReport(FM, "State", HealthState.Error, "node stopped heartbeating at " + n.since()
                    + (n.reason().isBlank() ? "" : ": " + n.reason()));
            case Disabling -> new SystemReport(FM, "State", HealthState.Warning, "being disabled, intent "
                    + n.disableIntent() + "; replicas moving off (" + replicasLeft + " left)");
            case Disabled -> new SystemReport(FM, "State", HealthState.Ok, "Disabled since " + n.since() + ", intent "
                    + n.disableIntent());
        };
    }

    /** System.Hosting/ResourceLimits of a node whose agent said whether it enforces cgroup limits. */
    public static Optional<SystemReport> resourceLimits(NodeRecord n) {
        String enforced = n.description().properties().get(LIMITS_ENFORCED_PROPERTY);
        if (enforced == null) {
            return Optional.empty();
        }
        if (Boolean.parseBoolean(enforced)) {
            return Optional.of(new SystemReport(HOSTING, "ResourceLimits", HealthState.Ok, "cgroup limits are enforced"));
        }
        String why = n.description().properties().getOrDefault(LIMITS_PROBLEM_PROPERTY, "the agent cannot write cgroups");
        return Optional.of(new SystemReport(HOSTING, "ResourceLimits", HealthState.Warning,
                "cgroup limits are not enforced on this node: " + why
                        + "; code packages run without their cpu and memory limits"));
    }

    /** System.PLB/ServiceReplicaUnplacedHealth while placement cannot satisfy the service. */
    public static Optional<SystemReport> unplaced(ServiceRecord svc) {
        return svc.placementProblem() == null ? Optional.empty() : Optional.of(new SystemReport(PLB,
                "ServiceReplicaUnplacedHealth", HealthState.Warning, svc.placementProblem()));
    }

    /**
     * System.FM/State of a partition: Error for a stateful partition below its minimum replica set size or
     * without a Ready Primary (it cannot take writes), Warning while fewer than {@code target} replicas are Ready.
     */
    public static SystemReport partitionState(ServiceRecord svc, int target, List<ReplicaRecord> replicas) {
        long ready = replicas.stream().filter(r -> r.status() == ReplicaStatus.Ready).count();
        String noun = svc.spec().kind() == ServiceKind.STATEFUL ? "replicas" : "instances";
        String counts = ready + " of " + target + " " + noun + " ready";
        if (svc.spec().kind() == ServiceKind.STATEFUL) {
            int min = svc.spec().minReplicaSetSize();
            if (ready < min) {
                return new SystemReport(FM, "State", HealthState.Error, counts + ", fewer than the minimum replica set size "
                        + min);
            }
            boolean primary = replicas.stream().anyMatch(r -> r.role() == ReplicaRole.Primary && r.status() == ReplicaStatus.Ready);
            if (!primary) {
                return new SystemReport(FM, "State", HealthState.Error, "no Ready Primary (" + counts + ")");
            }
        }
        return new SystemReport(FM, "State", ready < target ? HealthState.Warning : HealthState.Ok, counts);
    }

    /**
     * System.RA/State of a replica. {@code node} and {@code activation} may be null (gone, or not reported
     * yet); {@code moveAfterFailures} gives a code package's restart policy limit, to explain a move.
     */
    public static SystemReport replicaState(ReplicaRecord r, NodeRecord node, DeployedServicePackage activation,
                                            ToIntFunction<String> moveAfterFailures) {
        String role = r.role() == ReplicaRole.None ? "" : r.role() + ", ";
        return switch (r.status()) {
            case Ready -> new SystemReport(RA, "State", HealthState.Ok, role + "Ready on node " + r.node());
            case Down -> new SystemReport(RA, "State", HealthState.Error, "Down: " + whyDown(r, node, activation, moveAfterFailures));
            case InBuild -> inBuild(r, activation, role);
        };
    }

    private static String whyDown(ReplicaRecord r, NodeRecord node, DeployedServicePackage activation,
                                  ToIntFunction<String> moveAfterFailures) {
        if (node == null) {
            return "node " + r.node() + " is no longer in the cluster";
        }
        if (node.status() == NodeStatus.Down) {
            return "node " + r.node() + " is down (" + nodeState(node, 0).description() + ")";
        }
        if (activation != null && activation.state() == ActivationState.Failed) {
            CodePackageStatus worst = activation.codePackages().stream()
                    .max(Comparator.comparingInt(CodePackageStatus::consecutiveFailures)).orElse(null);
            if (worst != null) {
                return "its activation on node " + r.node() + " failed: code package " + worst.name() + " exited "
                        + worst.consecutiveFailures() + " times in a row (last exit code " + worst.lastExitCode()
                        + "); moved after " + moveAfterFailures.applyAsInt(worst.name()) + " failures";
            }
            return "its activation on node " + r.node() + " failed";
        }
        return "on node " + r.node();
    }

    private static SystemReport inBuild(ReplicaRecord r, DeployedServicePackage activation, String role) {
        if (activation == null) {
            return new SystemReport(RA, "State", HealthState.Ok, role + "InBuild: node " + r.node()
                    + " has not activated its service package yet");
        }
        for (CodePackageStatus cp : activation.codePackages()) {
            if (cp.state() == CodePackageStatus.State.Backoff) {
                return new SystemReport(RA, "State", HealthState.Warning, role + "InBuild: code package " + cp.name()
                        + " is in backoff after exit code " + cp.lastExitCode() + " (" + cp.consecutiveFailures()
                        + " failure(s) in a row)" + (cp.nextRestartAt() == null ? "" : ", next restart at " + cp.nextRestartAt()));
            }
        }
        for (CodePackageStatus cp : activation.codePackages()) {
            for (ProbeStatus p : cp.probes()) {
                if (p.type() == ProbeStatus.Type.Readiness && !p.passing()) {
                    return new SystemReport(RA, "State", HealthState.Warning, role + "InBuild: code package " + cp.name()
                            + " is failing its readiness probe: " + p.lastMessage());
                }
            }
        }
        return new SystemReport(RA, "State", HealthState.Ok, role + "InBuild on node " + r.node() + ": starting");
    }

    /** System.FM/Nodes on the cluster: how many nodes are in service; their own reports say what is wrong. */
    public static SystemReport clusterNodes(Collection<NodeRecord> nodes) {
        Map<NodeStatus, Long> byStatus = nodes.stream().collect(Collectors.groupingBy(NodeRecord::status, () ->
                new EnumMap<>(NodeStatus.class), Collectors.counting()));
        String others = byStatus.entrySet().stream().filter(e -> e.getKey() != NodeStatus.Up)
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
        return new SystemReport(FM, "Nodes", HealthState.Ok, byStatus.getOrDefault(NodeStatus.Up, 0L) + " of " + nodes.size()
                + " node(s) Up" + (others.isEmpty() ? "" : " (" + others + ")"));
    }

    /** System.CM/State on an application: where it comes from (Service Fabric's cluster manager reports the same). */
    public static SystemReport applicationState(ApplicationRecord a) {
        return new SystemReport(CM, "State", HealthState.Ok, "created " + a.createdAt() + " from " + a.typeName() + " "
                + a.typeVersion());
    }

    /** System.Hosting/Activation on a deployed application: its service packages on the node, by state. */
    public static SystemReport deployedApplication(List<DeployedServicePackage> packages) {
        String states = packages.stream().collect(Collectors.groupingBy(d -> d.state().name(), TreeMap::new,
                Collectors.counting())).entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", "));
        return new SystemReport(HOSTING, "Activation", HealthState.Ok, packages.size() + " service package(s) deployed"
                + (states.isEmpty() ? "" : ": " + states));
    }

    /** System.Hosting/CodePackage:NAME, only while the code package has failed recently. */
    public static Optional<SystemReport> codePackage(CodePackageStatus cp) {
        int failures = cp.consecutiveFailures();
        if (failures < 1) {
            return Optional.empty();
        }
        String stderr = cp.stderrTail() == null || cp.stderrTail().isBlank() ? "" : "; stderr: " + tail(cp.stderrTail().strip());
        return Optional.of(failures >= 2
                ? new SystemReport(HOSTING, "CodePackage:" + cp.name(), HealthState.Error, "code package " + cp.name()
                        + " exited " + failures + " times in a row, last exit code " + cp.lastExitCode() + why(cp) + stderr)
                : new SystemReport(HOSTING, "CodePackage:" + cp.name(), HealthState.Warning, "code package " + cp.name()
                        + " exited with code " + cp.lastExitCode() + why(cp) + (cp.state() == CodePackageStatus.State.Backoff
                                ? "; it is being restarted" : " and was restarted") + stderr));
    }

    /** System.Hosting/Activation of a deployed service package. */
    public static SystemReport activation(DeployedServicePackage d) {
        return switch (d.state()) {
            case Activating -> new SystemReport(HOSTING, "Activation", HealthState.Ok, "activating");
            case Active -> new SystemReport(HOSTING, "Activation", HealthState.Ok, "active");
            case Deactivating -> new SystemReport(HOSTING, "Activation", HealthState.Ok, "deactivating");
            case Failing -> new SystemReport(HOSTING, "Activation", HealthState.Warning, "failing: "
                    + failingCodePackages(d) + " restarting with backoff");
            case Failed -> new SystemReport(HOSTING, "Activation", HealthState.Error, "failed: " + failingCodePackages(d)
                    + " kept failing; the replicas it hosts are Down and are being placed elsewhere");
        };
    }

    private static String failingCodePackages(DeployedServicePackage d) {
        List<String> names = d.codePackages().stream()
                .filter(cp -> cp.consecutiveFailures() > 0 || cp.state() == CodePackageStatus.State.Backoff)
                .map(CodePackageStatus::name).toList();
        return names.isEmpty() ? "code packages" : "code package " + String.join(", ", names);
    }

    /**
     * System.Probe/TYPE:CODEPACKAGE. A failing liveness or startup probe is an Error (the process is
     * restarted for it); a failing readiness probe only keeps replicas out of service, so it is a Warning.
     */
    public static SystemReport probe(String codePackage, ProbeStatus p) {
        HealthState state = p.passing() ? HealthState.Ok
                : p.type() == ProbeStatus.Type.Readiness ? HealthState.Warning : HealthState.Error;
        String message = p.lastMessage() == null || p.lastMessage().isBlank()
                ? (p.passing() ? "passing" : "failing") : p.lastMessage();
        return new SystemReport(PROBE, p.type() + ":" + codePackage, state, message);
    }

    /** Why the agent ended the run itself (a failed liveness probe), so a kill is not mistaken for a crash. */
    private static String why(CodePackageStatus cp) {
        return cp.lastExitReason() == null ? "" : " after " + cp.lastExitReason();
    }

    private static String tail(String text) {
        return text.length() <= MAX_STDERR ? text : "…" + text.substring(text.length() - MAX_STDERR);
    }
}
