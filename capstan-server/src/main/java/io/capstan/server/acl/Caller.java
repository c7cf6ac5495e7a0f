package io.capstan.server.acl;

import io.capstan.state.AclRole;

/**
 * Who made a request, as the audit trail names them.
 *
 * @param tokenName the token's name; {@code anonymous} without ACLs, {@code server} for a peer server
 * @param tokenId   the token's accessor id, or null (no ACLs, or a peer server)
 * @param role      the token's role, or null when ACLs are off
 */
public record Caller(String tokenName, String tokenId, AclRole role, String node) {

    public static final Caller ANONYMOUS = new Caller("anonymous", null, null, null);
    public static final Caller PEER_SERVER = new Caller("server", null, null, null);

    /** Why this caller may not act for node {@code name}, or null when it may (an agent token bound to another node may not). */
    public String deniedFor(String name) {
        return node == null || node.equals(name) ? null
                : "token " + tokenName + " (" + tokenId + ") is bound to node " + node + " and may not act for node " + name;
    }

    /** The audit trail's actor: the token's name, or {@code node:<name>} for an agent's call about its node. */
    public String actor(String node) {
        return role == AclRole.agent && node != null ? "node:" + node : tokenName;
    }
}
