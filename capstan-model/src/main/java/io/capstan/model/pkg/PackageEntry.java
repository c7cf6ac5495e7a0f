package io.capstan.model.pkg;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Objects;

/**
 * One file, folder or symbolic link of an application package, by its path relative to the package root
 * ({@code MyServicePackage/MyCodePackage/run.sh}, '/'-separated, no '.' or '..'). Only one mode bit is kept:
 * whether a file is executable; the archive writes files as 0755 or 0644, folders as 0755.
 */
public final class PackageEntry implements Comparable<PackageEntry> {

    public enum Type { FILE, DIRECTORY, SYMLINK }

    private final String path;
    private final Type type;
    private final boolean executable;
    private final byte[] content;
    private final String linkTarget;
    /** The size of a listed file, whose content was read and dropped (-1 when the content is held). */
    private final long listedSize;

    private PackageEntry(String path, Type type, boolean executable, byte[] content, String linkTarget) {
        this(path, type, executable, content, linkTarget, -1);
    }

    private PackageEntry(String path, Type type, boolean executable, byte[] content, String linkTarget, long listedSize) {
        this.path = Objects.requireNonNull(path);
        this.type = type;
        this.executable = executable;
        this.content = content;
        this.linkTarget = linkTarget;
        this.listedSize = listedSize;
    }

    /** A file known by its size and mode only (its content was checked in passing and not kept). */
    static PackageEntry listed(String path, long size, boolean executable) {
        return new PackageEntry(path, Type.FILE, executable, null, null, size);
    }

    public static PackageEntry file(String path, byte[] content, boolean executable) {
        return new PackageEntry(path, Type.FILE, executable, content.clone(), null);
    }

    /** Takes ownership of {@code content} (no copy); for readers that have just read the bytes. */
    static PackageEntry fileOwning(String path, byte[] content, boolean executable) {
        return new PackageEntry(path, Type.FILE, executable, content, null);
    }

    public static PackageEntry directory(String path) {
        return new PackageEntry(path, Type.DIRECTORY, true, null, null);
    }

    public static PackageEntry symlink(String path, String target) {
        return new PackageEntry(path, Type.SYMLINK, false, null, Objects.requireNonNull(target));
    }

    /** This entry under another path (same type and content). */
    PackageEntry withPath(String newPath) {
        return new PackageEntry(newPath, type, executable, content, linkTarget, listedSize);
    }

    public String path() {
        return path;
    }

    public Type type() {
        return type;
    }

    /** For files: whether any execute bit is set. */
    public boolean executable() {
        return type == Type.FILE && executable;
    }

    /** The Unix mode written to archives: 0755 for folders and executables, 0644 for other files, 0777 for links. */
    public int mode() {
        return switch (type) {
            case DIRECTORY -> 0755;
            case SYMLINK -> 0777;
            case FILE -> executable ? 0755 : 0644;
        };
    }

    /** Bytes of content (0 for folders and links). */
    public long size() {
        return listedSize >= 0 ? listedSize : content == null ? 0 : content.length;
    }

    /** A copy of a file's content (empty for folders and links). */
    public byte[] content() {
        return content == null ? new byte[0] : content.clone();
    }

    public InputStream open() {
        return new ByteArrayInputStream(content == null ? new byte[0] : content);
    }

    /** Where a symbolic link points (relative), else null. */
    public String linkTarget() {
        return linkTarget;
    }

    byte[] contentUnsafe() {
        return content;
    }

    @Override
    public int compareTo(PackageEntry o) {
        return path.compareTo(o.path);
    }

    @Override
    public String toString() {
        return switch (type) {
            case DIRECTORY -> path + "/";
            case SYMLINK -> path + " -> " + linkTarget;
            case FILE -> path + " (" + size() + " bytes" + (executable ? ", executable" : "") + ")";
        };
    }
}
