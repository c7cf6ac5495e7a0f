package io.capstan.agent.driver;

/**
 * Who a started run is, for good: the pid the agent started (also its process group id) with its start time in
 * clock ticks since boot, and for a container the runtime's container id (null for a process).
 */
public record RunIdentity(long pid, long startTicks, String containerId) {
}
