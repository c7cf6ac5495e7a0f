package io.capstan.model.cluster;

import java.time.Instant;

/** A node in the replicated state: its description, status and when that status last changed. */
public record NodeRecord(NodeDescription description, NodeStatus status, Instant since) {

    public String name() {
        return description.name();
    }

    public NodeRecord withStatus(NodeStatus newStatus, Instant at) {
        return new NodeRecord(description, newStatus, at);
    }
}
