package io.capstan.server.acl;

import io.capstan.state.AclRole;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** What a route needs: the roles whose tokens may call it (admin may call everything but the servers' own routes). */
public enum Access {
    /** Anyone: the one-time bootstrap, which the state refuses once done. */
    PUBLIC(EnumSet.allOf(AclRole.class)),
    READ(EnumSet.of(AclRole.read, AclRole.operate, AclRole.admin)),
    OPERATE(EnumSet.of(AclRole.operate, AclRole.admin)),
    ADMIN(EnumSet.of(AclRole.admin)),
    /** The node protocol's writes: registration, heartbeats, reports, command results. */
    NODE(EnumSet.of(AclRole.agent, AclRole.admin)),
    /** Reads agents make (their assignment, package downloads, resolves), which readers may make too. */
    NODE_READ(EnumSet.of(AclRole.agent, AclRole.read, AclRole.operate, AclRole.admin)),
    /** Servers among themselves (package copies): the cluster secret only, never a token. */
    PEER(EnumSet.noneOf(AclRole.class));

    private final Set<AclRole> roles;

    Access(Set<AclRole> roles) {
        this.roles = roles;
    }

    public boolean allows(AclRole role) {
        return roles.contains(role);
    }

    /** For error messages: "role operate or admin". */
    public String needed() {
        if (this == PEER) {
            return "the cluster secret (--cluster-secret-file, the same on every server)";
        }
        return "role " + roles.stream().map(Enum::name).collect(Collectors.joining(" or "));
    }
}
