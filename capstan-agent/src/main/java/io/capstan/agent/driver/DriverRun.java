package io.capstan.agent.driver;

import java.util.concurrent.CompletableFuture;

/**
 * A run a driver started or adopted: its identity, and its exit, which completes with the exit code (null when it
 * cannot be known: a process adopted from a previous agent is not our child).
 */
public record DriverRun(RunIdentity identity, CompletableFuture<Integer> exit) {
}
