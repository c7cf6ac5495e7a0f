package io.capstan.server.acl;

import io.capstan.state.AclRole;
import java.util.List;
import java.util.stream.Collectors;

/** What a route needs: the roles whose tokens may call it (admin may call everything but the servers' own routes). */
public enum Access {
    /** Anyone: the one-time bootstrap, which the state refuses once done. */
    PUBLIC(AclRole.values()),
    READ(AclRole.read, AclRole.operate, AclRole.admin),
    OPERATE(AclRole.operate, AclRole.admin),
    ADMIN(AclRole.admin),
    /** The node protocol's writes: registration, heartbeats, reports, command results. */
    NODE(AclRole.agent, AclRole.admin),
    /** Reads agents make (their assignment, package downloads, resolves), which readers may make too. */
    NODE_READ(AclRole.agent, AclRole.read, AclRole.operate, AclRole.admin),
    /** Servers among themselves (package copies): the cluster secret only, never a token. */
    PEER();

    /** In the order error messages name them: the role meant first. */
    private final List<AclRole> roles;

    Access(AclRole... roles) {
        this.roles = List.of(roles);
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
