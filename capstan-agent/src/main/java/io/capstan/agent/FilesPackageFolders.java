package io.capstan.agent;

import io.capstan.model.manifest.FilesPackageManifest.Kind;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * The config and data package folders of one activation. Each version of a package is written once into a folder of
 * its own ({@code config/.versions/<Name>@<digest>}), and {@code config/<Name>}, the path code packages are given, is a
 * relative symbolic link to it, replaced with one rename(2): a process sees the old files or the new ones, never a
 * folder half written. The link is relative so it also resolves inside a container, which gets {@code config/}
 * mounted whole.
 */
final class FilesPackageFolders {

    static final String VERSIONS = ".versions";

    private FilesPackageFolders() {
    }

    /** Writes {@code source} (absent: an empty folder) as the version {@code digest} of package {@code name}, then links it. */
    static void install(ActivationPaths paths, Kind kind, String name, Path source, String digest) throws IOException {
        Path versions = paths.files(kind).resolve(VERSIONS);
        Files.createDirectories(versions);
        Path version = versions.resolve(versionName(name, digest));
        if (!Files.isDirectory(version, LinkOption.NOFOLLOW_LINKS)) {
            Path partial = versions.resolve(".partial-" + UUID.randomUUID());
            try {
                if (source != null && Files.isDirectory(source)) {
                    FileTrees.copy(source, partial);
                } else {
                    Files.createDirectories(partial);
                }
                Files.move(partial, version, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                FileTrees.delete(partial);
            }
        }
        link(paths, kind, name, digest);
    }

    /** Points package {@code name}'s link at its version {@code digest}, when that version is on disk (recovery). */
    static void link(ActivationPaths paths, Kind kind, String name, String digest) throws IOException {
        Path target = Path.of(VERSIONS, versionName(name, digest));
        if (!Files.isDirectory(paths.files(kind).resolve(target))) {
            return;
        }
        Path link = paths.files(kind).resolve(name);
        if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(target)) {
            return;
        }
        Path fresh = paths.files(kind).resolve(".link-" + UUID.randomUUID());
        Files.createSymbolicLink(fresh, target);
        // rename(2) replaces the old link in one step (ATOMIC_MOVE is a plain rename on Linux).
        Files.move(fresh, link, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removes every version folder of {@code kind} that none of {@code current} (name@digest) names. */
    static void removeStale(ActivationPaths paths, Kind kind, Collection<String> current) throws IOException {
        Path versions = paths.files(kind).resolve(VERSIONS);
        if (!Files.isDirectory(versions)) {
            return;
        }
        Set<String> keep = new HashSet<>(current);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(versions)) {
            for (Path p : entries) {
                if (!keep.contains(p.getFileName().toString())) {
                    FileTrees.delete(p);
                }
            }
        }
    }

    /** The folder name of one version of a package. */
    static String versionName(String name, String digest) {
        return name + "@" + (digest.length() > 16 ? digest.substring(0, 16) : digest);
    }
}
