package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Lenient reads of API views for tables: a missing field is null, never an exception. */
final class Json {

    private Json() {
    }

    /** The field as text, or null when missing or JSON null. Numbers and booleans print as written. */
    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }

    static long number(JsonNode node, String field, long otherwise) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isNumber() ? v.asLong() : otherwise;
    }

    /** The {@code items} of a list answer ({@code {"items": [...]}}); a bare array is accepted too. */
    static List<JsonNode> items(JsonNode body) {
        JsonNode items = body.isArray() ? body : body.path("items");
        List<JsonNode> out = new ArrayList<>();
        items.forEach(out::add);
        return out;
    }

    /** A list of strings (or values) joined by ", ". */
    static String joined(JsonNode array) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        array.forEach(v -> parts.add(v.isValueNode() ? v.asText() : v.toString()));
        return String.join(", ", parts);
    }

    /** An object as {@code k=v, k=v}. */
    static String pairs(JsonNode object) {
        if (object == null || !object.isObject() || object.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            parts.add(e.getKey() + "=" + (e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
        }
        return String.join(", ", parts);
    }

    /** {@code ready/wanted} from a {@code {"wanted":6,"placed":6,"ready":6}} counter. */
    static String readyOfWanted(JsonNode replicas) {
        if (replicas == null || !replicas.isObject()) {
            return null;
        }
        return number(replicas, "ready", 0) + "/" + number(replicas, "wanted", 0);
    }

    /** A partition key as people read it: {@code singleton}, {@code 0..49} or the name. */
    /** The partition of a replica or endpoint view for people: its key's label, or its id when it has no key. */
    static String partitionOf(JsonNode view) {
        String label = partitionLabel(view.get("partition"));
        return label == null ? text(view, "partitionId") : label;
    }

    static String partitionLabel(JsonNode key) {
        if (key == null || !key.isObject()) {
            return null;
        }
        String kind = text(key, "kind");
        if ("Int64Range".equals(kind)) {
            return text(key, "lowKey") + ".." + text(key, "highKey");
        }
        if ("Named".equals(kind)) {
            return text(key, "name");
        }
        if ("Singleton".equals(kind)) {
            return "singleton";
        }
        return key.toString();
    }

    /** A placement problem (text or object) as one line, or null when there is none. */
    static String problem(JsonNode view) {
        JsonNode p = view.get("placementProblem");
        if (p == null || p.isNull() || p.isMissingNode()) {
            return null;
        }
        if (p.isTextual()) {
            return p.asText().isBlank() ? null : p.asText();
        }
        if (p.isObject() && p.has("message")) {
            return p.get("message").asText();
        }
        return p.toString();
    }
}
