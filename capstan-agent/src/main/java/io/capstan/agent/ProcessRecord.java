package io.capstan.agent;

import io.capstan.agent.driver.RunIdentity;
import java.time.Instant;

/**
 * A started run as recorded in activation.json: pid plus its start time in clock ticks since boot
 * (/proc/&lt;pid&gt;/stat field 22), which tells our process apart from a later one that reuses the pid, and for a
 * container the runtime's container id (absent for a process).
 */
public record ProcessRecord(long pid, long startTicks, Instant startedAt, int restartCount, String containerId) {

    public ProcessRecord(long pid, long startTicks, Instant startedAt, int restartCount) {
        this(pid, startTicks, startedAt, restartCount, null);
    }

    static ProcessRecord of(RunIdentity run, Instant startedAt, int restartCount) {
        return new ProcessRecord(run.pid(), run.startTicks(), startedAt, restartCount, run.containerId());
    }

    RunIdentity identity() {
        return new RunIdentity(pid, startTicks, containerId);
    }
}
