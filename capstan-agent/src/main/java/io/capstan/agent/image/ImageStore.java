package io.capstan.agent.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's unpacked images: one read-only rootfs per image digest under {@code <data>/images/rootfs/<hex>}, shared
 * by every activation that runs the image, with its config beside it ({@code <hex>.json}). Unpacking one digest
 * happens once even when several activations ask at the same time; a rootfs appears (atomic rename) only once every
 * layer was verified and applied.
 */
public final class ImageStore {

    /** Directories every container mounts something on: made at unpack time so the shared rootfs is never written later. */
    public static final List<String> MOUNT_POINTS =
            List.of("proc", "sys", "dev", "tmp", "capstan/code", "capstan/work", "capstan/log");

    private static final Logger log = LoggerFactory.getLogger(ImageStore.class);

    private final Path dir;
    private final ObjectMapper json;
    private final OciLayout layout;
    private final SingleFlight<Digest, UnpackedImage> unpacking = new SingleFlight<>();
    private final java.util.concurrent.locks.ReentrantReadWriteLock lock = new java.util.concurrent.locks.ReentrantReadWriteLock();

    public ImageStore(Path dir, ObjectMapper json) {
        this.dir = dir;
        this.json = json;
        this.layout = new OciLayout(json);
    }

    /** The folder pulled blobs are kept in (an OCI layout's {@code blobs/sha256}). */
    public Path blobsRoot() {
        return dir.resolve("blobs-layout");
    }

    public OciLayout layout() {
        return layout;
    }

    /** Unpacks the image in an OCI layout folder, or in an OCI / docker save tar. */
    public UnpackedImage unpack(Path source) throws IOException {
        if (Files.isDirectory(source)) {
            return unpack(layout.read(source));
        }
        if (!Files.isRegularFile(source)) {
            throw new IOException("image " + source + " does not exist: name an OCI layout folder or an image .tar");
        }
        Path tmp = dir.resolve("tmp").resolve(UUID.randomUUID().toString());
        try {
            Files.createDirectories(tmp);
            LayerUnpacker.extractArchive(source, tmp);
            return unpack(layout.read(tmp));
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Unpacks {@code image} unless its rootfs is here already. */
    public UnpackedImage unpack(ImageManifest image) throws IOException {
        UnpackedImage ready = find(image.digest());
        if (ready != null) {
            return ready;
        }
        try {
            return unpacking.run(image.digest(), () -> {
                UnpackedImage done = find(image.digest());
                return done != null ? done : doUnpack(image);
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("unpacking " + image.digest() + " was interrupted");
        }
    }

    /** The unpacked image with this digest, or null. */
    public UnpackedImage find(Digest digest) throws IOException {
        Path rootfs = rootfs(digest);
        Path config = rootfs.resolveSibling(digest.hex() + ".json");
        if (!Files.isDirectory(rootfs) || !Files.isRegularFile(config)) {
            return null;
        }
        return new UnpackedImage(digest, rootfs, json.readValue(config.toFile(), ImageConfig.class));
    }

    /** Every unpacked image on the node. */
    public List<UnpackedImage> list() throws IOException {
        List<UnpackedImage> out = new ArrayList<>();
        Path root = dir.resolve("rootfs");
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, p -> p.getFileName().toString().matches("[0-9a-f]{64}"))) {
            for (Path d : dirs) {
                UnpackedImage i = find(new Digest(d.getFileName().toString()));
                if (i != null) {
                    out.add(i);
                }
            }
        }
        return out;
    }

    /** Removes one unpacked image (the caller made sure no activation uses it, holding {@link #exclusive}). */
    public void remove(Digest digest) throws IOException {
        for (String suffix : List.of(".json", ".used", ".size", ".refs")) {
            Files.deleteIfExists(rootfs(digest).resolveSibling(digest.hex() + suffix));
        }
        deleteTree(rootfs(digest));
    }

    /** Work that finds or unpacks images and starts using them: never at the same time as a prune. */
    public <T> T shared(ImageWork<T> work) throws IOException, InterruptedException {
        lock.readLock().lockInterruptibly();
        try {
            return work.run();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Work that removes images: alone, so what it sees in use stays in use and nothing is half pulled. */
    public <T> T exclusive(ImageWork<T> work) throws IOException, InterruptedException {
        lock.writeLock().lockInterruptibly();
        try {
            return work.run();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Work on the store under its lock. */
    @FunctionalInterface
    public interface ImageWork<T> {
        T run() throws IOException, InterruptedException;
    }

    /** Notes that the image is in use now: what the age of an unused image counts from. */
    public void touch(Digest digest) throws IOException {
        Path used = rootfs(digest).resolveSibling(digest.hex() + ".used");
        if (Files.exists(used)) {
            Files.setLastModifiedTime(used, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
        } else {
            Files.createFile(used);
        }
    }

    /** When the image was last in use (or unpacked). */
    public java.time.Instant lastUsed(Digest digest) throws IOException {
        Path used = rootfs(digest).resolveSibling(digest.hex() + ".used");
        Path config = rootfs(digest).resolveSibling(digest.hex() + ".json");
        return Files.getLastModifiedTime(Files.exists(used) ? used : config).toInstant();
    }

    /** The bytes its rootfs holds (regular files), computed once and kept beside it. */
    public long sizeBytes(Digest digest) throws IOException {
        Path size = rootfs(digest).resolveSibling(digest.hex() + ".size");
        if (Files.isRegularFile(size)) {
            try {
                return Long.parseLong(Files.readString(size).trim());
            } catch (NumberFormatException e) {
                // rewritten below
            }
        }
        long total;
        try (var files = Files.walk(rootfs(digest))) {
            total = files.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
        Files.writeString(size, Long.toString(total));
        return total;
    }

    /** Remembers a name the image was pulled as. */
    public void addReference(Digest digest, String reference) throws IOException {
        java.util.Set<String> refs = new java.util.TreeSet<>(references(digest));
        if (refs.add(reference)) {
            Files.write(rootfs(digest).resolveSibling(digest.hex() + ".refs"), refs);
        }
    }

    /** The names the image was pulled as (none for an image from a package). */
    public List<String> references(Digest digest) throws IOException {
        Path refs = rootfs(digest).resolveSibling(digest.hex() + ".refs");
        return Files.isRegularFile(refs) ? Files.readAllLines(refs).stream().filter(l -> !l.isBlank()).toList() : List.of();
    }

    /**
     * Removes the pulled blobs no remaining image needs (a kept image's manifest names its config and layers); blobs
     * being fetched are left alone. Call under {@link #exclusive}.
     */
    public long removeUnusedBlobs() throws IOException {
        Path blobs = blobsRoot().resolve("blobs/sha256");
        if (!Files.isDirectory(blobs)) {
            return 0;
        }
        java.util.Set<String> keep = new java.util.HashSet<>();
        for (UnpackedImage image : list()) {
            Path manifest = blobs.resolve(image.digest().hex());
            if (!Files.isRegularFile(manifest)) {
                continue;
            }
            keep.add(image.digest().hex());
            var node = json.readTree(manifest.toFile());
            keep.add(node.path("config").path("digest").asText("").replace("sha256:", ""));
            node.path("layers").forEach(l -> keep.add(l.path("digest").asText("").replace("sha256:", "")));
        }
        long freed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(blobs, p -> p.getFileName().toString().matches("[0-9a-f]{64}"))) {
            for (Path f : files) {
                if (!keep.contains(f.getFileName().toString())) {
                    freed += Files.size(f);
                    Files.delete(f);
                }
            }
        }
        return freed;
    }

    private UnpackedImage doUnpack(ImageManifest image) throws IOException {
        Path target = rootfs(image.digest());
        Path tmp = target.resolveSibling(image.digest().hex() + ".unpacking-" + UUID.randomUUID());
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(tmp);
            for (Layer layer : image.layers()) {
                LayerUnpacker.apply(layer, tmp);
            }
            for (String m : MOUNT_POINTS) {
                Path p = tmp.resolve(m);
                if (!Files.isDirectory(p)) {
                    Files.deleteIfExists(p);
                    Files.createDirectories(p);
                }
            }
            Files.setPosixFilePermissions(tmp, LayerUnpacker.permissions(0755));
            Files.write(target.resolveSibling(image.digest().hex() + ".json"), json.writeValueAsBytes(image.config()));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteQuietly(tmp);
        }
        log.info("unpacked image {} ({} layers) in {} ms", image.digest(), image.layers().size(),
                (System.nanoTime() - t0) / 1_000_000);
        return new UnpackedImage(image.digest(), target, image.config());
    }

    private Path rootfs(Digest digest) {
        return dir.resolve("rootfs").resolve(digest.hex());
    }

    private static void deleteQuietly(Path p) {
        try {
            deleteTree(p);
        } catch (IOException | UncheckedIOException e) {
            log.warn("cannot remove {}: {}", p, e.toString());
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
                for (Path c : children) {
                    deleteTree(c);
                }
            }
        }
        Files.delete(p);
    }
}
