package io.capstan.gateway;

import java.util.Locale;

/** How the gateway picks among a partition's eligible endpoints. */
public enum LoadBalancing {
    /** Each endpoint in turn. */
    ROUND_ROBIN("round-robin"),
    /** Of two endpoints drawn at random, the one with fewer requests in flight (power of two choices). */
    LEAST_REQUESTS("least-requests");

    private final String wireName;

    LoadBalancing(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static LoadBalancing parse(String text) {
        for (LoadBalancing l : values()) {
            if (l.wireName.equals(text.toLowerCase(Locale.ROOT))) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown load balancing '" + text + "': use round-robin or least-requests");
    }
}
