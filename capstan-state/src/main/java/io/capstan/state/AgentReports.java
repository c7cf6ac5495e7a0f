package io.capstan.state;

import io.capstan.model.Names;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.ProbeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.wire.NodeReport;
import io.capstan.state.ClusterCommand.AgentCommand;
import io.capstan.state.ClusterCommand.ReportNode;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.pcollections.TreePMap;

/**
 * What agents observe on their nodes: the deployed service packages, their code packages and probes. Replica
 * statuses are derived from it, and every start, exit, restart and probe transition becomes an event. A
 * report is validated in full: it may speak only of its own node and of replicas placed there.
 */
final class AgentReports implements CommandHandler<AgentCommand> {

    private final StateLimits limits;

    AgentReports(StateLimits limits) {
        this.limits = limits;
    }

    @Override
    public Rejection check(StateChange state, AgentCommand command) {
        NodeReport report = ((ReportNode) command).report();
        if (report == null) {
            return Rejection.invalid("report: is required");
        }
        String nodeProblem = Names.problem(report.node());
        if (nodeProblem != null) {
            return Rejection.invalid("node: node name " + nodeProblem);
        }
        if (state.node(report.node()) == null) {
            return Rejection.notFound("node " + report.node() + " is not registered; register it first");
        }
        if (report.deployed().size() > limits.maxActivationsPerNode()) {
            return Rejection.invalid("deployed: " + report.deployed().size() + " activations is more than the limit of "
                    + limits.maxActivationsPerNode() + " per node");
        }
        Set<ActivationKey> seen = new HashSet<>();
        for (int i = 0; i < report.deployed().size(); i++) {
            DeployedServicePackage d = report.deployed().get(i);
            String problem = d == null ? "is empty" : problem(state, report.node(), d);
            if (problem != null) {
                return Rejection.invalid("deployed[" + i + "]" + (problem.startsWith(".") ? "" : ": ") + problem);
            }
            if (!seen.add(d.key())) {
                return Rejection.invalid("deployed[" + i + "]: activation " + ReplicaDerivation.activationEntity(report.node(), d.key())
                        + " is listed twice");
            }
        }
        return null;
    }

    private String problem(StateChange state, String node, DeployedServicePackage d) {
        if (!node.equals(d.node())) {
            return ".node: '" + d.node() + "' is another node; a node reports only its own activations";
        }
        String p = Names.problem(d.application());
        if (p != null) {
            return ".application: application name " + p;
        }
        p = Names.problem(d.servicePackage());
        if (p != null) {
            return ".servicePackage: service package name " + p;
        }
        if (d.activationId() != null && d.activationId().length() > 64) {
            return ".activationId: at most 64 characters";
        }
        if (d.state() == null) {
            return ".state: is required (Activating, Active, Failing, Failed or Deactivating)";
        }
        if (d.servicePackageVersion() != null && d.servicePackageVersion().length() > 64) {
            return ".servicePackageVersion: at most 64 characters";
        }
        for (Map.Entry<String, Integer> e : d.endpoints().entrySet()) {
            if (Names.problem(e.getKey()) != null || e.getValue() == null || e.getValue() < 1 || e.getValue() > 65535) {
                return ".endpoints." + e.getKey() + ": needs a valid endpoint name and a port from 1 to 65535";
            }
        }
        if (d.codePackages().size() > limits.maxCodePackagesPerActivation()) {
            return ".codePackages: at most " + limits.maxCodePackagesPerActivation() + " per activation";
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < d.codePackages().size(); i++) {
            CodePackageStatus cp = d.codePackages().get(i);
            String cpProblem = cp == null ? "is empty" : problem(cp);
            if (cpProblem == null && !names.add(cp.name())) {
                cpProblem = ".name: '" + cp.name() + "' is listed twice";
            }
            if (cpProblem != null) {
                return ".codePackages[" + i + "]" + (cpProblem.startsWith(".") ? "" : ": ") + cpProblem;
            }
        }
        if (d.replicaIds().size() > limits.maxActivationsPerNode()) {
            return ".replicaIds: at most " + limits.maxActivationsPerNode();
        }
        for (Long id : d.replicaIds()) {
            ReplicaRecord r = id == null ? null : state.replica(id);
            if (id == null) {
                return ".replicaIds: holds an empty entry";
            }
            if (r != null && !r.node().equals(node)) {
                return ".replicaIds: replica " + id + " is placed on " + r.node() + ", not on " + node;
            }
        }
        return null;
    }

    private String problem(CodePackageStatus cp) {
        String p = Names.problem(cp.name());
        if (p != null) {
            return ".name: code package name " + p;
        }
        if (cp.state() == null) {
            return ".state: is required (Starting, Running, Backoff or Stopped)";
        }
        if (cp.restartCount() < 0 || cp.consecutiveFailures() < 0 || (cp.pid() != null && cp.pid() <= 0)) {
            return ".restartCount/consecutiveFailures/pid: must not be negative";
        }
        if ((cp.stderrTail() != null && cp.stderrTail().length() > limits.maxTextChars())
                || (cp.lastExitReason() != null && cp.lastExitReason().length() > limits.maxTextChars())) {
            return ".stderrTail/lastExitReason: at most " + limits.maxTextChars() + " characters";
        }
        if (cp.probes().size() > ProbeStatus.Type.values().length) {
            return ".probes: at most one status per probe type";
        }
        for (ProbeStatus probe : cp.probes()) {
            if (probe == null || probe.type() == null) {
                return ".probes: each probe status needs a type";
            }
            if (probe.lastMessage() != null && probe.lastMessage().length() > limits.maxTextChars()) {
                return ".probes.lastMessage: at most " + limits.maxTextChars() + " characters";
            }
        }
        return null;
    }

    @Override
    public void apply(StateChange state, AgentCommand command) {
        ReportNode c = (ReportNode) command;
        String node = state.node(c.report().node()).name();
        Instant at = c.at();
        TreePMap<ActivationKey, DeployedServicePackage> before = state.deployedOn(node);
        TreePMap<ActivationKey, DeployedServicePackage> after = TreePMap.empty();
        for (DeployedServicePackage d : c.report().deployed()) {
            after = after.plus(d.key(), d);
            DeployedServicePackage old = before.get(d.key());
            String entity = ReplicaDerivation.activationEntity(node, d.key());
            if (old == null) {
                state.event(at, "ServicePackageActivated", entity, "");
            }
            for (CodePackageStatus cp : d.codePackages()) {
                CodePackageStatus oldCp = old == null ? null : old.codePackages().stream()
                        .filter(x -> x.name().equals(cp.name())).findFirst().orElse(null);
                codePackageEvents(state, entity + "/" + cp.name(), oldCp, cp, at);
            }
        }
        for (ActivationKey k : before.keySet()) {
            if (!after.containsKey(k)) {
                state.event(at, "ServicePackageDeactivated", ReplicaDerivation.activationEntity(node, k), "");
            }
        }
        state.putDeployedOn(node, after);
        ReplicaDerivation.rederiveReplicasOn(state, node, at);
    }

    /** Started, exited and restarted code packages, and probes that start or stop failing, as events. */
    private static void codePackageEvents(StateChange state, String entity, CodePackageStatus old, CodePackageStatus now, Instant at) {
        if (now.pid() != null && (old == null || !now.pid().equals(old.pid()))) {
            state.event(at, "CodePackageStarted", entity, "pid " + now.pid());
        }
        if (now.lastExitAt() != null && (old == null || !now.lastExitAt().equals(old.lastExitAt()))) {
            state.event(at, "CodePackageExited", entity, "exit code " + now.lastExitCode()
                    + (now.lastExitReason() == null ? "" : " after " + now.lastExitReason())
                    + (now.consecutiveFailures() > 0 ? ", " + now.consecutiveFailures() + " failure(s) in a row" : ""));
        }
        if (old != null && now.restartCount() > old.restartCount()) {
            state.event(at, "CodePackageRestarted", entity, "restart " + now.restartCount() + ", last exit code " + now.lastExitCode());
        }
        for (ProbeStatus probe : now.probes()) {
            ProbeStatus before = old == null ? null : old.probes().stream()
                    .filter(x -> x.type() == probe.type()).findFirst().orElse(null);
            boolean wasFailing = before != null && failing(before);
            if (wasFailing != failing(probe)) {
                state.event(at, wasFailing ? "ProbeRecovered" : "ProbeFailed", entity,
                        probe.type() + " probe: " + probe.lastMessage());
            }
        }
    }

    /**
     * Failed its checks, as opposed to not passing yet because it has not been checked since the process started.
     * A startup probe is not passing until the program is up, failures included, so it never counts: when it gives
     * up, the restart is the event.
     */
    private static boolean failing(ProbeStatus probe) {
        return probe.type() != ProbeStatus.Type.Startup && !probe.passing() && probe.consecutiveFailures() > 0;
    }
}
