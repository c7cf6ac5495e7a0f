package io.capstan.state;

import java.time.Instant;

/**
 * A token as the state keeps it: the SHA-256 of its secret (hex), never the secret, which only its creator saw.
 *
 * @param id         the public accessor id (a UUID): listed, revoked and named in the audit trail
 * @param expiresAt  when it stops working, or null for never
 * @param node       for an agent token, the one node it may register, heartbeat and report for; null for any node
 */
public record AclToken(String id, String name, AclRole role, String secretHash, Instant createdAt, Instant expiresAt,
                       @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                       String node) {

    /** A token bound to no node. */
    public AclToken(String id, String name, AclRole role, String secretHash, Instant createdAt, Instant expiresAt) {
        this(id, name, role, secretHash, createdAt, expiresAt, null);
    }

    /** Whether the token is still valid at {@code now} (the reading server's clock). */
    public boolean validAt(Instant now) {
        return expiresAt == null || now.isBefore(expiresAt);
    }
}
