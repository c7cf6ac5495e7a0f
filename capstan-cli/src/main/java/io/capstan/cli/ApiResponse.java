package io.capstan.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A successful answer: the body exactly as the server sent it (what {@code -o json} prints) and the
 * state index from {@code X-Capstan-Index} (-1 when the header was missing).
 */
public record ApiResponse(int status, long index, String body) {

    /** The body parsed as JSON; a body that is not JSON is a {@link CliException}. */
    public JsonNode json() {
        try {
            JsonNode node = ApiClient.JSON.readTree(body == null ? "" : body);
            return node == null || node.isMissingNode() ? ApiClient.JSON.createObjectNode() : node;
        } catch (JsonProcessingException e) {
            throw new CliException("the server's answer is not JSON: " + abbreviate(body));
        }
    }

    static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String t = text.strip();
        return t.length() <= 200 ? t : t.substring(0, 200) + "…";
    }
}
