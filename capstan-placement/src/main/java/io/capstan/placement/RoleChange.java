package io.capstan.placement;

import io.capstan.model.cluster.ReplicaRole;

/** Give an existing replica a new role (e.g. promote an ActiveSecondary to Primary). */
public record RoleChange(long replicaId, ReplicaRole newRole) {
}
