package io.capstan.model.cluster;

import java.time.Instant;
import java.util.List;

/**
 * A code package inside an activation: its current pid and start time, how often it was restarted,
 * how it last exited, and when the next restart is due while it is backing off.
 *
 * @param ready               running, past its startup probe, and passing its readiness probe (if it has one)
 * @param consecutiveFailures exits (or liveness failures) since it last stayed up for the reset time
 * @param stderrTail          the last lines of its stderr after its last exit, for crash-loop diagnosis
 * @param probes              the latest outcome of each declared probe
 * @param lastExitReason      why the agent ended the last run itself (e.g. its liveness probe failed), null when
 *                            the program exited on its own
 */
public record CodePackageStatus(
        String name,
        State state,
        Long pid,
        Instant startedAt,
        int restartCount,
        Integer lastExitCode,
        Instant lastExitAt,
        Instant nextRestartAt,
        boolean ready,
        int consecutiveFailures,
        String stderrTail,
        List<ProbeStatus> probes,
        String lastExitReason) {

    public CodePackageStatus {
        probes = probes == null ? List.of() : List.copyOf(probes);
    }

    /** Starting then Running; Backoff between a crash and its restart; Stopped once deactivated. */
    public enum State { Starting, Running, Backoff, Stopped }
}
