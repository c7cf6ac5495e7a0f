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

    /** Removes one unpacked image (the caller made sure no activation uses it). */
    public void remove(Digest digest) throws IOException {
        Files.deleteIfExists(rootfs(digest).resolveSibling(digest.hex() + ".json"));
        deleteTree(rootfs(digest));
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
