package io.capstan.agent;

import io.capstan.model.pkg.PackageArchive;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Application packages by digest under {@code <data>/packages/<digest>/}: fetched once from the servers,
 * checked against the digest (hex SHA-256 of the archive), and extracted safely by {@link PackageArchive}.
 */
public final class PackageCache implements PackageStore {

    private static final Logger log = LoggerFactory.getLogger(PackageCache.class);
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Path dir;
    private final ControlPlane controlPlane;
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    public PackageCache(Path dir, ControlPlane controlPlane) {
        this.dir = dir;
        this.controlPlane = controlPlane;
    }

    @Override
    public Path resolve(String digest) throws IOException, InterruptedException {
        if (digest == null || !SAFE.matcher(digest).matches()) {
            throw new IOException("'" + digest + "' is not a package digest");
        }
        Path target = dir.resolve(digest);
        // One download per digest at a time; different packages download in parallel.
        synchronized (locks.computeIfAbsent(digest, d -> new Object())) {
            if (Files.isDirectory(target)) {
                return target;
            }
            Files.createDirectories(dir);
            Path download = dir.resolve("." + digest + ".download-" + UUID.randomUUID() + ".tar.gz");
            try {
                controlPlane.downloadPackage(digest, download);
                verify(digest, download);
                try (InputStream in = Files.newInputStream(download)) {
                    PackageArchive.extract(in, target);
                } catch (FileAlreadyExistsException e) {
                    if (!Files.isDirectory(target)) {
                        throw e;
                    }
                }
                log.info("package {} cached in {}", digest, target);
                return target;
            } finally {
                Files.deleteIfExists(download);
            }
        }
    }

    /** Deletes cached packages whose digest is not in {@code digests}; each under its digest's lock. */
    @Override
    public void retainOnly(java.util.Set<String> digests) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> !p.getFileName().toString().startsWith("."))) {
            for (Path p : entries) {
                String digest = p.getFileName().toString();
                if (!digests.contains(digest)) {
                    synchronized (locks.computeIfAbsent(digest, d -> new Object())) {
                        FileTrees.delete(p);
                    }
                    log.info("package {} removed from the cache: no activation uses it", digest);
                }
            }
        } catch (IOException e) {
            log.warn("cannot prune {}: {}", dir, e.toString());
        }
    }

    /** Removes downloads and extractions a crash left half done (they start with a dot). */
    public void removeTemporaries() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".*")) {
            for (Path p : entries) {
                FileTrees.delete(p);
            }
        } catch (IOException e) {
            log.warn("cannot clean {}: {}", dir, e.toString());
        }
    }

    /** Streamed: a package may be gigabytes. */
    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static void verify(String digest, Path file) throws IOException {
        String expected = digest.toLowerCase(Locale.ROOT);
        if (expected.startsWith("sha256:")) {
            expected = expected.substring("sha256:".length());
        }
        if (!SHA256.matcher(expected).matches()) {
            return; // not a content address we know how to check
        }
        String actual = sha256(file);
        if (!actual.equals(expected)) {
            throw new IOException("package " + digest + " arrived with digest " + actual + ": refusing it");
        }
    }
}
