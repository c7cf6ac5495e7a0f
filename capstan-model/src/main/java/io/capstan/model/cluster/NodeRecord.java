package io.capstan.model.cluster;

import java.time.Instant;

/**
 * A node in the replicated state: its description, status, when that status last changed and why,
 * and, while an operator has it disabled, the intent they gave.
 */
public record NodeRecord(NodeDescription description, NodeStatus status, Instant since, String reason,
                         NodeDisableIntent disableIntent) {

    public NodeRecord {
        reason = reason == null ? "" : reason;
    }

    public String name() {
        return description.name();
    }

    /** The same node in another status; an operator's disable intent survives Down and Up. */
    public NodeRecord withStatus(NodeStatus newStatus, Instant at, String why) {
        return new NodeRecord(description, newStatus, at, why, disableIntent);
    }

    /** The same node with an operator's disable intent set (or cleared with null). */
    public NodeRecord withDisableIntent(NodeDisableIntent intent) {
        return new NodeRecord(description, status, since, reason, intent);
    }
}
