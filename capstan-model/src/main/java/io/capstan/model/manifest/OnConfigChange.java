package io.capstan.model.manifest;

import java.util.List;

/**
 * What a code package gets when only its service package's config or data packages change: a restart (the default,
 * {@link #RESTART}, {@code signal} null) or a signal to its process, which keeps running and rereads its files.
 */
public record OnConfigChange(String signal) {

    /** The signals a manifest may name, written without {@code SIG}. */
    public static final List<String> SIGNALS = List.of("HUP", "USR1", "USR2", "INT", "TERM");

    /** Restart the code package: what a code package that says nothing gets. */
    public static final OnConfigChange RESTART = new OnConfigChange(null);

    public OnConfigChange {
        if (signal != null && !SIGNALS.contains(signal)) {
            throw new IllegalArgumentException("onConfigChange.signal " + signal + " is not one of " + String.join(", ", SIGNALS));
        }
    }

    /** Whether a config change restarts the code package (else it is signalled). */
    public boolean restarts() {
        return signal == null;
    }

    /** Jackson's value filter that leaves the default out of JSON (it is "equal" to what is excluded). */
    static final class IsRestart {
        @Override
        public boolean equals(Object value) {
            return value == null || value instanceof OnConfigChange c && c.restarts();
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
