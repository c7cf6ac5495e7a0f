package io.capstan.model.cluster;

import java.time.Instant;
import java.util.Map;

/** An application: an instance of an application type version, with its parameter values. */
public record ApplicationRecord(
        String name, String typeName, String typeVersion, Map<String, String> parameters, Instant createdAt) {

    public ApplicationRecord {
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }

    public String uri() {
        return io.capstan.model.ServiceName.SCHEME + name;
    }
}
