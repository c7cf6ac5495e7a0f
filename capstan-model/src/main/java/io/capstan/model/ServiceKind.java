package io.capstan.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Whether a service type keeps state in its replicas (stateful) or runs interchangeable instances (stateless). */
public enum ServiceKind {
    STATELESS("stateless"),
    STATEFUL("stateful");

    private final String wireName;

    ServiceKind(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static ServiceKind parse(String text) {
        for (ServiceKind kind : values()) {
            if (kind.wireName.equals(text.toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown service kind '" + text + "': use stateless or stateful");
    }
}
