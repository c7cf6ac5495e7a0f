package io.capstan.agent;

import java.time.Instant;

/**
 * A started process as recorded in activation.json: pid plus its start time in clock ticks since boot
 * (/proc/&lt;pid&gt;/stat field 22), which tells our process apart from a later one that reuses the pid.
 */
public record ProcessRecord(long pid, long startTicks, Instant startedAt, int restartCount) {
}
