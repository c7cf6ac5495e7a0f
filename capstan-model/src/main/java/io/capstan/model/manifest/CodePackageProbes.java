package io.capstan.model.manifest;

/**
 * The probes of a code package; each may be null. Until the startup probe passes the other two do
 * not run; a failed liveness probe restarts the code package; readiness decides whether the replicas
 * it hosts are Ready and their endpoints published.
 */
public record CodePackageProbes(ProbeSpec startup, ProbeSpec liveness, ProbeSpec readiness) {

    public static final CodePackageProbes NONE = new CodePackageProbes(null, null, null);

    @com.fasterxml.jackson.annotation.JsonIgnore // derived, not part of the record
    public boolean isEmpty() {
        return startup == null && liveness == null && readiness == null;
    }
}
