package io.capstan.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How the gateway picks among a partition's eligible endpoints (a service type's or service's {@code loadBalancing}). */
public enum LoadBalancing {
    /** Each endpoint in turn. */
    ROUND_ROBIN("round-robin"),
    /** Of two endpoints drawn at random, the one with fewer requests in flight (power of two choices). */
    LEAST_REQUESTS("least-requests");

    private final String wireName;

    LoadBalancing(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** Parses {@code round-robin} or {@code least-requests} (any case). */
    @JsonCreator
    public static LoadBalancing parse(String text) {
        for (LoadBalancing l : values()) {
            if (l.wireName.equals(text.toLowerCase(Locale.ROOT))) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown load balancing '" + text + "': use round-robin or least-requests");
    }
}
