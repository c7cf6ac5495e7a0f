package io.capstan.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How replicas map to activated copies of a service package on a node (Service Fabric's
 * ServicePackageActivationMode): one shared copy per application, or one copy per replica.
 */
public enum ActivationMode {
    SHARED_PROCESS("SharedProcess"),
    EXCLUSIVE_PROCESS("ExclusiveProcess");

    private final String wireName;

    ActivationMode(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** Accepts the manifest spelling (SharedProcess) and the CLI's short form (shared). */
    @JsonCreator
    public static ActivationMode parse(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        return switch (t) {
            case "sharedprocess", "shared" -> SHARED_PROCESS;
            case "exclusiveprocess", "exclusive" -> EXCLUSIVE_PROCESS;
            default -> throw new IllegalArgumentException(
                    "unknown activation mode '" + text + "': use SharedProcess or ExclusiveProcess");
        };
    }
}
