package io.capstan.model.wire;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An operator's command for one node's agent ({@code capstan image list|pull|prune --node N}), handed to the agent
 * with its next heartbeat answer; the agent posts a {@link NodeCommandResult} back.
 *
 * @param reference the image reference to pull (ImagePull only)
 */
public record NodeCommand(String id, Kind kind, @JsonInclude(JsonInclude.Include.NON_NULL) String reference) {

    /** What the agent is asked to do. */
    public enum Kind { ImageList, ImagePull, ImagePrune }
}
