package io.capstan.placement;

/** Drop an existing replica, with the reason (lost, node disabled, scale down, ...). */
public record ReplicaRemoval(long replicaId, String reason) {
}
