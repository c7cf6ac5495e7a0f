package io.capstan.model.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The answer to a heartbeat: when to send the next one, how long silence may last (both scale with the cluster), and
 * the operator commands waiting for this node.
 */
public record HeartbeatAnswer(long nextHeartbeatMillis, long downAfterMillis,
                              @JsonInclude(JsonInclude.Include.NON_EMPTY) List<NodeCommand> commands) {

    public HeartbeatAnswer {
        commands = commands == null ? List.of() : List.copyOf(commands);
    }
}
