package io.capstan.state;

import java.time.Instant;

/** One thing that happened in the cluster, at the log index of the command that caused it. */
public record ClusterEvent(long index, Instant at, String kind, String entity, String message) {
}
