package io.capstan.model.manifest;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One probe of a code package (Kubernetes' probe, declared in the manifest): what to check and how
 * often. {@code http} GETs {@code path} on the endpoint {@code endpoint} and expects
 * {@code expectedStatus} (null: any 2xx or 3xx); {@code tcp} connects to the endpoint; {@code exec}
 * runs {@code command} in the code package's folder and expects exit code 0.
 *
 * @param endpoint         the name of one of the service package's endpoints (http and tcp only)
 * @param failureThreshold consecutive failures before the probe counts as failed
 * @param successThreshold consecutive successes before a failed probe counts as passing again
 */
public record ProbeSpec(
        Kind kind,
        String endpoint,
        String path,
        Integer expectedStatus,
        List<String> command,
        Duration initialDelay,
        Duration period,
        Duration timeout,
        int failureThreshold,
        int successThreshold) {

    /** Defaults: Kubernetes' except a 5s period (10s in Kubernetes) so a failure is noticed sooner. */
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    public static final int DEFAULT_SUCCESS_THRESHOLD = 1;

    public ProbeSpec {
        Objects.requireNonNull(kind, "kind");
        path = path == null || path.isEmpty() ? "/" : path;
        command = command == null ? List.of() : List.copyOf(command);
        initialDelay = initialDelay == null ? Duration.ZERO : initialDelay;
        period = period == null ? DEFAULT_PERIOD : period;
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        failureThreshold = failureThreshold <= 0 ? DEFAULT_FAILURE_THRESHOLD : failureThreshold;
        successThreshold = successThreshold <= 0 ? DEFAULT_SUCCESS_THRESHOLD : successThreshold;
    }

    /** How the probe checks. */
    public enum Kind { http, tcp, exec }
}
