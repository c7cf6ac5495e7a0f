package io.capstan.dist;

import io.capstan.server.acl.Secrets;
import io.capstan.state.AclRole;
import io.capstan.state.AclToken;
import io.capstan.state.AuditRecord;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterStore;
import io.capstan.state.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The tokens {@code capstan dev --acl} gives its own parts (the agents, the gateway, the dev command itself), so the
 * cluster runs with ACLs and no setup: each secret is kept in {@code <data>/tokens/<name>} (mode 0600) and used again on
 * the next start while the state still holds it. They are created through the in-process store (audited as
 * {@code capstan-dev}), not through the bootstrap, which stays the operator's: {@code capstan acl bootstrap}.
 */
final class DevTokens {

    private final ClusterStore store;
    private final Path dir;
    private final Secrets secrets = new Secrets();

    DevTokens(ClusterStore store, Path dir) {
        this.store = store;
        this.dir = dir;
    }

    /** The secret of the dev token {@code name} with {@code role}: the kept one if it still works, else a new one. */
    String secret(String name, AclRole role) throws IOException {
        Path file = dir.resolve(name);
        if (Files.exists(file)) {
            String kept = Files.readString(file).strip();
            String hash = Secrets.hash(kept);
            boolean known = store.snapshot().aclTokens().values().stream()
                    .anyMatch(t -> t.secretHash().equals(hash) && t.role() == role && t.validAt(Instant.now()));
            if (known) {
                return kept;
            }
        }
        String secret = secrets.newSecret();
        Instant now = Instant.now();
        AclToken token = new AclToken(UUID.randomUUID().toString(), name, role, Secrets.hash(secret), now, null);
        ClusterCommand create = new ClusterCommand.CreateAclToken(token, now);
        CommandResult result;
        try {
            result = store.submit(new ClusterCommand.Audited(new AuditRecord(0, now, "capstan-dev", null, "-", "-",
                    ClusterCommand.typeName(create)), create)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("could not create the dev token " + name + ": " + e.getMessage(), e);
        }
        if (!result.applied()) {
            throw new IOException("could not create the dev token " + name + ": " + result.message());
        }
        Files.createDirectories(dir);
        Path partial = dir.resolve(name + ".partial");
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(partial, secret + "\n");
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return secret;
    }
}
