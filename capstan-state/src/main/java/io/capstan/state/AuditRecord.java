package io.capstan.state;

import java.time.Instant;

/**
 * One accepted write in the audit trail: who made it, what it was and when.
 *
 * @param index   the log index of the write (filled in when it is applied; 0 in the submitted command)
 * @param actor   the token's name, {@code node:<name>} for an agent's call, or {@code anonymous} without ACLs
 * @param tokenId the token's accessor id, or null without ACLs
 * @param command the command's type name in the log ({@code app.create}, ...)
 */
public record AuditRecord(long index, Instant at, String actor, String tokenId, String method, String path,
                          String command) {

    AuditRecord at(long logIndex) {
        return new AuditRecord(logIndex, at, actor, tokenId, method, path, command);
    }
}
