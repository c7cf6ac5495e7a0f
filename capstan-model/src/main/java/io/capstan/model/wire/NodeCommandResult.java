package io.capstan.model.wire;

import com.fasterxml.jackson.databind.JsonNode;

/** How a {@link NodeCommand} went: its result (a JSON document the command defines) or why it failed. */
public record NodeCommandResult(boolean succeeded, JsonNode result, String error) {

    public static NodeCommandResult success(JsonNode result) {
        return new NodeCommandResult(true, result, null);
    }

    public static NodeCommandResult failure(String error) {
        return new NodeCommandResult(false, null, error);
    }
}
