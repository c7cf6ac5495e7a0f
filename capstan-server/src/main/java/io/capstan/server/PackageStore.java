package io.capstan.server;

import io.capstan.state.ratis.Durable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Application package archives, content-addressed by SHA-256, kept beside the replicated state so
 * the Raft log carries only digests. Written before the registering command is submitted, so an
 * acknowledged registration always has its content.
 */
public final class PackageStore {

    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

    private final Path dir;

    public PackageStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the package directory " + dir, e);
        }
    }

    /** Stores the archive under its digest (idempotent: same digest, same bytes). */
    public void put(String digest, byte[] archive) throws IOException {
        Path target = file(digest);
        if (refreshed(target)) {
            return;
        }
        Path tmp = Files.createTempFile(dir, digest, ".tmp");
        Files.write(tmp, archive);
        // Durable before the registration that names it is committed: the file, then the rename in its directory.
        Durable.fsync(tmp);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Durable.fsyncDirectory(dir);
    }

    /** Moves a received upload in under its digest (its file is already fsynced); the rename is made durable. */
    public void adopt(PackageUpload upload) throws IOException {
        Path target = file(upload.digest());
        if (!refreshed(target)) {
            Files.move(upload.file(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Durable.fsyncDirectory(dir);
        }
    }

    /**
     * Whether the archive is stored already; if so its time is set to now, so the clean-up of unused packages
     * (which spares recent ones) does not take it while the registration that names it again is under way.
     */
    private static boolean refreshed(Path target) throws IOException {
        if (!Files.exists(target)) {
            return false;
        }
        Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
        return true;
    }

    /** Where uploads are received, so adopting one is a rename within one file system. */
    public Path directory() {
        return dir;
    }

    /** Deletes a package no application type uses any more. */
    public void delete(String digest) throws IOException {
        if (DIGEST.matcher(digest).matches()) {
            Files.deleteIfExists(file(digest));
        }
    }

    /** The archive's path, if stored. */
    public Optional<Path> get(String digest) {
        if (!DIGEST.matcher(digest).matches()) {
            return Optional.empty();
        }
        Path f = file(digest);
        return Files.exists(f) ? Optional.of(f) : Optional.empty();
    }

    private Path file(String digest) {
        return dir.resolve(digest + ".tar.gz");
    }
}
