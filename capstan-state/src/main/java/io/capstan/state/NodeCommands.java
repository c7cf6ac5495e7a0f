package io.capstan.state;

import io.capstan.model.Names;
import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.cluster.NodeRecord;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.state.ClusterCommand.DisableNode;
import io.capstan.state.ClusterCommand.EnableNode;
import io.capstan.state.ClusterCommand.NodeCommand;
import io.capstan.state.ClusterCommand.RegisterNode;
import io.capstan.state.ClusterCommand.RemoveNode;
import io.capstan.state.ClusterCommand.SetNodeStatus;
import io.capstan.model.cluster.NodeDisableIntent;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Node records: registration, Up/Down from liveness, an operator's disable and enable, and removal. */
final class NodeCommands implements CommandHandler<NodeCommand> {

    private final StateLimits limits;

    NodeCommands(StateLimits limits) {
        this.limits = limits;
    }

    @Override
    public Rejection check(StateChange state, NodeCommand command) {
        return switch (command) {
            case RegisterNode c -> describe(c.node());
            case SetNodeStatus c -> c.status() != NodeStatus.Up && c.status() != NodeStatus.Down
                    ? Rejection.invalid("status: a node's status is set only to Up or Down; disable it with `capstan node disable`")
                    : missing(state, c.name());
            case DisableNode c -> c.intent() == null
                    ? Rejection.invalid("intent: is required: restart (it comes back after maintenance) or remove (it leaves)")
                    : missing(state, c.name());
            case EnableNode c -> missing(state, c.name());
            case RemoveNode c -> {
                Rejection missing = missing(state, c.name());
                if (missing != null) {
                    yield missing;
                }
                NodeRecord n = state.node(c.name());
                boolean removable = n.status() == NodeStatus.Down
                        || (n.status() == NodeStatus.Disabled && n.disableIntent() == NodeDisableIntent.Remove);
                if (!removable) {
                    yield Rejection.conflict("node " + c.name() + " is " + n.status()
                            + (n.disableIntent() == null ? "" : " (intent " + n.disableIntent() + ")")
                            + "; only a Down node, or one Disabled with intent remove, can be removed: run `capstan node disable "
                            + c.name() + " --intent remove --wait` first");
                }
                if (state.hasReplicasOn(c.name())) {
                    yield Rejection.conflict("node " + c.name() + " still holds " + state.replicasOn(c.name()).size()
                            + " replica(s); wait until placement has moved them (`capstan replica list`)");
                }
                yield null;
            }
        };
    }

    private Rejection describe(NodeDescription d) {
        if (d == null) {
            return Rejection.invalid("node: the node description is missing");
        }
        String name = Names.problem(d.name());
        if (name != null) {
            return Rejection.invalid("name: node name " + name);
        }
        if (d.address() == null || d.address().isBlank() || d.address().length() > 256) {
            return Rejection.invalid("address: give the host the node's agent is reached on, e.g. 127.0.0.1 (at most 256 characters)");
        }
        if (d.faultDomain() == null || !d.faultDomain().startsWith("fd:/") || d.faultDomain().length() > 256) {
            return Rejection.invalid("faultDomain: '" + d.faultDomain() + "' must look like fd:/dc1/rack1 (at most 256 characters)");
        }
        if (d.upgradeDomain() == null || d.upgradeDomain().isBlank() || d.upgradeDomain().length() > 64) {
            return Rejection.invalid("upgradeDomain: give one like UD0 (at most 64 characters)");
        }
        if (d.capacities().size() > limits.maxNodeAttributes() || d.properties().size() > limits.maxNodeAttributes()) {
            return Rejection.invalid("capacities/properties: at most " + limits.maxNodeAttributes() + " of each");
        }
        for (Map.Entry<String, Double> e : d.capacities().entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank() || e.getKey().length() > 64) {
                return Rejection.invalid("capacities: a metric name is empty or longer than 64 characters");
            }
            if (e.getValue() == null || !(e.getValue() >= 0) || e.getValue().isInfinite()) {
                return Rejection.invalid("capacities." + e.getKey() + ": " + e.getValue() + " must be a finite number >= 0");
            }
        }
        for (Map.Entry<String, String> e : d.properties().entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank() || e.getKey().length() > 64) {
                return Rejection.invalid("properties: a property name is empty or longer than 64 characters");
            }
            if (e.getValue() == null || e.getValue().length() > 1024) {
                return Rejection.invalid("properties." + e.getKey() + ": needs a value of at most 1024 characters");
            }
        }
        return null;
    }

    private static Rejection missing(StateChange state, String name) {
        return name != null && state.node(name) != null ? null
                : Rejection.notFound("node " + name + " is not registered; see `capstan node list`");
    }

    @Override
    public void apply(StateChange state, NodeCommand command) {
        switch (command) {
            case RegisterNode c -> {
                NodeRecord old = state.node(c.node().name());
                if (old == null) {
                    state.putNode(new NodeRecord(c.node(), NodeStatus.Up, c.at(), "registered", null));
                    state.event(c.at(), "NodeUp", c.node().name(),
                            "fault domain " + c.node().faultDomain() + ", upgrade domain " + c.node().upgradeDomain());
                } else {
                    NodeRecord described = new NodeRecord(c.node(), old.status(), old.since(), old.reason(), old.disableIntent());
                    state.putNode(described);
                    setUpOrDown(state, described, NodeStatus.Up, "registered again", c.at());
                }
            }
            case SetNodeStatus c -> setUpOrDown(state, state.node(c.name()), c.status(),
                    c.reason() == null ? "" : c.reason(), c.at());
            case DisableNode c -> {
                NodeRecord old = state.node(c.name());
                NodeRecord disabled = old.withDisableIntent(c.intent());
                if (old.status() == NodeStatus.Up) {
                    disabled = disabled.withStatus(NodeStatus.Disabling, c.at(), "disabled with intent " + c.intent());
                    state.event(c.at(), "NodeDisabling", c.name(), "intent " + c.intent() + "; moving its replicas off");
                }
                state.putNode(disabled);
                ReplicaDerivation.finishDrains(state, List.of(c.name()), c.at());
            }
            case EnableNode c -> {
                NodeRecord old = state.node(c.name());
                NodeRecord enabled = old.withDisableIntent(null);
                if (old.status().isDisabled()) {
                    enabled = enabled.withStatus(NodeStatus.Up, c.at(), "enabled");
                    state.event(c.at(), "NodeEnabled", c.name(), "");
                }
                state.putNode(enabled);
            }
            case RemoveNode c -> {
                state.removeNode(c.name());
                state.putDeployedOn(c.name(), org.pcollections.TreePMap.empty());
                state.dropHealth(e -> switch (e) {
                    case io.capstan.model.health.HealthEntity.Node x -> x.name().equals(c.name());
                    case io.capstan.model.health.HealthEntity.DeployedApplication x -> x.node().equals(c.name());
                    case io.capstan.model.health.HealthEntity.DeployedServicePackage x -> x.node().equals(c.name());
                    default -> false;
                });
                state.event(c.at(), "NodeRemoved", c.name(), "");
            }
        }
    }

    /**
     * Up or Down from heartbeats. A node an operator disabled stays so: it comes back as Disabling (and
     * becomes Disabled once drained), never as Up.
     */
    private static void setUpOrDown(StateChange state, NodeRecord old, NodeStatus reachability, String reason, Instant at) {
        NodeStatus status = reachability == NodeStatus.Down ? NodeStatus.Down
                : old.disableIntent() == null ? NodeStatus.Up
                : old.status().isDisabled() ? old.status() : NodeStatus.Disabling;
        if (status == old.status()) {
            return;
        }
        state.putNode(old.withStatus(status, at, reason));
        state.event(at, "Node" + status, old.name(), reason);
        ReplicaDerivation.rederiveReplicasOn(state, old.name(), at);
        ReplicaDerivation.finishDrains(state, List.of(old.name()), at);
    }
}
