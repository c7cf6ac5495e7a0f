package io.capstan.model.cluster;

import java.time.Instant;

/**
 * A code package inside an activation: its current pid and start time, how often it was restarted,
 * how it last exited, and when the next restart is due while it is backing off.
 */
public record CodePackageStatus(
        String name,
        State state,
        Long pid,
        Instant startedAt,
        int restartCount,
        Integer lastExitCode,
        Instant lastExitAt,
        Instant nextRestartAt) {

    /** Starting then Running; Backoff between a crash and its restart; Stopped once deactivated. */
    public enum State { Starting, Running, Backoff, Stopped }
}
