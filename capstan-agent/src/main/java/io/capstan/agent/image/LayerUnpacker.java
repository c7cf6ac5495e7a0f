package io.capstan.agent.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Applies image layers to a rootfs as the OCI image spec says: per layer, first the whiteouts, and only against the
 * lower layers already on disk ({@code .wh.NAME} deletes NAME, {@code .wh..wh..opq} empties its directory), then the
 * layer's own entries; whiteout files are never written. Entries may not leave the rootfs (no {@code ..}, no
 * absolute names, no writing through a symlink). Device nodes are skipped (the container gets its own /dev).
 */
public final class LayerUnpacker {

    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private LayerUnpacker() {
    }

    /** Verifies the layer blob against its digest, then applies it to {@code rootfs}. */
    public static void apply(Layer layer, Path rootfs) throws IOException {
        layer.digest().verify(layer.blob(), "layer");
        try (TarArchiveInputStream tar = open(layer.blob())) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                whiteout(rootfs, e);
            }
        }
        try (TarArchiveInputStream tar = open(layer.blob())) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (!baseName(e.getName()).startsWith(WHITEOUT)) {
                    extract(rootfs, tar, e);
                }
            }
        }
    }

    /** Extracts a plain tar (an image archive, not a layer) into {@code dir}, with the same path checks. */
    public static void extractArchive(Path archive, Path dir) throws IOException {
        try (TarArchiveInputStream tar = open(archive)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                extract(dir, tar, e);
            }
        }
    }

    private static TarArchiveInputStream open(Path blob) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(blob), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x28 && b1 == 0xb5) {
            in.close();
            throw new IOException("layer " + blob.getFileName() + " is zstd-compressed, which this agent cannot unpack;"
                    + " push the image with gzip layers");
        }
        return new TarArchiveInputStream(b0 == 0x1f && b1 == 0x8b ? new GzipCompressorInputStream(in) : in);
    }

    private static void whiteout(Path rootfs, TarArchiveEntry e) throws IOException {
        String base = baseName(e.getName());
        if (!base.startsWith(WHITEOUT)) {
            return;
        }
        Path dir = target(rootfs, parentName(e.getName()));
        if (base.equals(OPAQUE)) {
            if (Files.isDirectory(dir, NOFOLLOW)) {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                    for (Path c : children) {
                        deleteTree(c);
                    }
                }
            }
            return;
        }
        deleteTree(dir.resolve(base.substring(WHITEOUT.length())));
    }

    private static void extract(Path rootfs, TarArchiveInputStream tar, TarArchiveEntry e) throws IOException {
        Path target = target(rootfs, e.getName());
        if (target.equals(rootfs)) {
            return;
        }
        Files.createDirectories(target.getParent());
        if (e.isDirectory()) {
            if (!Files.isDirectory(target, NOFOLLOW)) {
                deleteTree(target);
                Files.createDirectory(target);
            }
        } else if (e.isSymbolicLink()) {
            deleteTree(target);
            Files.createSymbolicLink(target, Path.of(e.getLinkName()));
            owner(target, e);
            return; // a symlink has no mode of its own
        } else if (e.isLink()) {
            Path source = target(rootfs, e.getLinkName());
            deleteTree(target);
            Files.createLink(target, source);
            return;
        } else if (e.isFile()) {
            deleteTree(target);
            Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
        } else {
            return; // devices, fifos: the runtime provides /dev
        }
        owner(target, e);
        Files.setPosixFilePermissions(target, permissions(e.getMode()));
        Files.setLastModifiedTime(target, FileTime.from(e.getModTime().toInstant()));
    }

    /** The entry's path inside {@code root}; refuses names that leave it or pass through a symlink. */
    private static Path target(Path root, String name) throws IOException {
        String clean = name.startsWith("./") ? name.substring(2) : name;
        if (clean.startsWith("/")) {
            throw new IOException("layer entry " + name + " is an absolute path");
        }
        Path target = root.resolve(clean).normalize();
        if (!target.startsWith(root)) {
            throw new IOException("layer entry " + name + " leaves the rootfs");
        }
        for (Path p = target.getParent(); p != null && p.startsWith(root) && !p.equals(root); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw new IOException("layer entry " + name + " would be written through the symlink " + root.relativize(p));
            }
        }
        return target;
    }

    private static void owner(Path target, TarArchiveEntry e) throws IOException {
        try {
            Files.setAttribute(target, "unix:uid", (int) e.getLongUserId(), NOFOLLOW);
            Files.setAttribute(target, "unix:gid", (int) e.getLongGroupId(), NOFOLLOW);
        } catch (UnsupportedOperationException | IllegalArgumentException | SecurityException ex) {
            // Not root, or no unix view: files stay the agent's, which only matters to images that drop privileges.
        } catch (IOException ex) {
            if (!(ex instanceof java.nio.file.FileSystemException)) {
                throw ex;
            }
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                s.add(bits[i]);
            }
        }
        return s;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, NOFOLLOW)) {
            return;
        }
        if (Files.isDirectory(p, NOFOLLOW)) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
                for (Path c : children) {
                    deleteTree(c);
                }
            }
        }
        try {
            Files.delete(p);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot delete " + p, e);
        }
    }

    private static String baseName(String name) {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        int slash = n.lastIndexOf('/');
        return slash < 0 ? n : n.substring(slash + 1);
    }

    private static String parentName(String name) {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        int slash = n.lastIndexOf('/');
        return slash < 0 ? "" : n.substring(0, slash);
    }
}
