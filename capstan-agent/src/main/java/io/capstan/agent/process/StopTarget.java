package io.capstan.agent.process;

import java.nio.file.Path;

/**
 * What to stop for one code package: its process group (the group id is the pid of the process the agent
 * started, recorded with its start time) and, when it has one, the cgroup.procs file of its cgroup, which
 * also lists processes that left the group (daemons that called setsid).
 */
public record StopTarget(long pgid, long leaderStartTicks, Path cgroupProcs) {
}
