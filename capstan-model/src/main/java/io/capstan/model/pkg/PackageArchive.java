package io.capstan.model.pkg;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Reading, writing and safely extracting application package archives (.tar.gz; plain .tar is read too).
 *
 * <p>Written archives are canonical, so the same content always gives the same bytes: entries sorted by
 * path, every parent folder present, mtime 0, uid/gid 0 with no user or group names, modes 0755 (folders,
 * executables), 0644 (other files) or 0777 (links), long names in deterministic PAX records, gzip header
 * with mtime 0. The bytes depend only on the content and on the JDK's deflate implementation.
 *
 * <p>Reading and extraction reject absolute paths, '..' segments, entries written through a link, links
 * leading outside the package (or nowhere), hard links to anything but an earlier file, devices and FIFOs,
 * duplicate entries, and anything past the {@link PackageLimits}.
 */
public final class PackageArchive {

    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> REGULAR = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> FOLDER = EXECUTABLE;
    private static final int LONG_NAME = 100;

    private PackageArchive() {
    }

    // ---------------------------------------------------------------- extraction

    /** {@link #extract(InputStream, Path, PackageLimits)} with the default limits. */
    public static void extract(InputStream tarGz, Path target) throws IOException {
        extract(tarGz, target, PackageLimits.DEFAULT);
    }

    /**
     * Extracts an archive into {@code target}, which must not exist yet: the content is written into a
     * temporary sibling folder and moved into place atomically, so {@code target} either does not exist or
     * holds the whole package. Executable bits are preserved (as 0755/0644); nothing is ever written
     * through a symbolic link.
     *
     * @throws FileAlreadyExistsException if {@code target} exists (also when another extraction wins a race)
     * @throws PackageException           if the archive is unsafe, malformed or over the limits (nothing is left behind)
     */
    public static void extract(InputStream tarGz, Path target, PackageLimits limits) throws IOException {
        Path dest = target.toAbsolutePath().normalize();
        if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(dest.toString(), null, "already exists; extract into a new folder");
        }
        Path parent = dest.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + dest.getFileName() + ".extracting-");
        boolean moved = false;
        try {
            DiskSink sink = new DiskSink(tmp);
            readArchive(tarGz, limits, sink);
            for (String dir : sink.dirs) {
                setPermissions(dir.isEmpty() ? tmp : tmp.resolve(dir), FOLDER);
            }
            try {
                Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
                    throw new FileAlreadyExistsException(dest.toString(), null, "appeared while extracting (another extraction won)");
                }
                throw e;
            }
            moved = true;
        } finally {
            if (!moved) {
                deleteTree(tmp);
            }
        }
    }

    // ---------------------------------------------------------------- reading into memory

    /** The entries of an archive, sorted by path, with every parent folder present; checked like extraction. */
    public static List<PackageEntry> read(InputStream tarGz, PackageLimits limits) throws IOException {
        MemorySink sink = new MemorySink();
        readArchive(tarGz, limits, sink);
        return List.copyOf(sink.entries.values());
    }

    /**
     * The entries of an archive read as a stream, checked like extraction, without holding file content: only
     * files named {@code keepName} (the manifest, at the root or inside one top folder) keep theirs, every other
     * file is an entry of its size and mode whose content was read and dropped. So an archive of any size can be
     * checked in constant memory, and a gzip bomb is refused by {@code limits} without being inflated into memory.
     */
    public static List<PackageEntry> list(InputStream tarGz, PackageLimits limits, String keepName) throws IOException {
        ListingSink sink = new ListingSink(keepName);
        readArchive(tarGz, limits, sink);
        return List.copyOf(sink.entries.values());
    }

    /**
     * The entries of a folder, sorted by path, with parent folders; symbolic links are kept as links (they
     * must lead inside the folder), special files are rejected.
     */
    public static List<PackageEntry> readFolder(Path folder, PackageLimits limits) throws IOException {
        Path root = folder.toRealPath();
        TreeMap<String, PackageEntry> entries = new TreeMap<>();
        Map<String, PackagePaths.Node> tree = new HashMap<>();
        tree.put("", new PackagePaths.Node(PackageEntry.Type.DIRECTORY, null, true));
        long[] total = {0};
        Files.walkFileTree(root, Set.of(), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String rel = relative(root, dir);
                if (!rel.isEmpty()) {
                    count(entries.size());
                    entries.put(rel, PackageEntry.directory(rel));
                    tree.put(rel, new PackagePaths.Node(PackageEntry.Type.DIRECTORY, null, true));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String rel = relative(root, file);
                count(entries.size());
                if (attrs.isSymbolicLink()) {
                    String target = Files.readSymbolicLink(file).toString();
                    PackagePaths.checkLinkTarget(rel, target);
                    entries.put(rel, PackageEntry.symlink(rel, target));
                    tree.put(rel, new PackagePaths.Node(PackageEntry.Type.SYMLINK, target, false));
                } else if (attrs.isRegularFile()) {
                    total[0] += attrs.size();
                    if (total[0] > limits.maxUncompressedBytes()) {
                        throw tooLarge(limits);
                    }
                    boolean exec = isExecutable(file);
                    byte[] bytes = Files.readAllBytes(file);
                    entries.put(rel, PackageEntry.fileOwning(rel, bytes, exec));
                    tree.put(rel, new PackagePaths.Node(PackageEntry.Type.FILE, null, exec));
                } else {
                    throw new PackageException("'" + rel + "' is neither a file, a folder nor a symbolic link"
                            + " (a device, socket or FIFO?); remove it from the package");
                }
                return FileVisitResult.CONTINUE;
            }

            private void count(int n) {
                if (n + 1 > limits.maxEntries()) {
                    throw new PackageException("the package has more than " + limits.maxEntries() + " entries");
                }
            }
        });
        PackagePaths.checkLinks(tree);
        return List.copyOf(entries.values());
    }

    private static String relative(Path root, Path p) {
        String rel = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
        return rel.isEmpty() ? "" : PackagePaths.normalize(rel);
    }

    private static boolean isExecutable(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return Files.isExecutable(file);
        }
        Set<PosixFilePermission> perms = view.readAttributes().permissions();
        return perms.contains(PosixFilePermission.OWNER_EXECUTE) || perms.contains(PosixFilePermission.GROUP_EXECUTE)
                || perms.contains(PosixFilePermission.OTHERS_EXECUTE);
    }

    // ---------------------------------------------------------------- writing

    /** Writes the canonical .tar.gz of {@code entries} (any order; parents must be among them or are added). */
    public static void write(Collection<PackageEntry> entries, OutputStream out) throws IOException {
        TreeMap<String, PackageEntry> sorted = new TreeMap<>();
        for (PackageEntry e : entries) {
            sorted.put(e.path(), e);
        }
        for (PackageEntry e : List.copyOf(sorted.values())) {
            for (String p = PackagePaths.parent(e.path()); !p.isEmpty(); p = PackagePaths.parent(p)) {
                sorted.putIfAbsent(p, PackageEntry.directory(p));
            }
        }
        GZIPOutputStream gz = new GZIPOutputStream(new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        }, 64 * 1024);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(gz, StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_TRUNCATE);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_ERROR);
            for (PackageEntry e : sorted.values()) {
                String name = e.type() == PackageEntry.Type.DIRECTORY ? e.path() + "/" : e.path();
                Map<String, String> pax = new TreeMap<>();
                if (name.getBytes(StandardCharsets.UTF_8).length >= LONG_NAME) {
                    pax.put("path", name);
                }
                if (e.linkTarget() != null && e.linkTarget().getBytes(StandardCharsets.UTF_8).length >= LONG_NAME) {
                    pax.put("linkpath", e.linkTarget());
                }
                if (!pax.isEmpty()) {
                    writePax(tar, pax);
                }
                byte flag = switch (e.type()) {
                    case DIRECTORY -> TarConstants.LF_DIR;
                    case SYMLINK -> TarConstants.LF_SYMLINK;
                    case FILE -> TarConstants.LF_NORMAL;
                };
                TarArchiveEntry te = new TarArchiveEntry(name, flag);
                normalizeHeader(te, e.mode());
                if (e.type() == PackageEntry.Type.SYMLINK) {
                    te.setLinkName(e.linkTarget());
                }
                te.setSize(e.size());
                tar.putArchiveEntry(te);
                if (e.type() == PackageEntry.Type.FILE) {
                    tar.write(e.contentUnsafe());
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    /** The canonical .tar.gz of {@code entries} as bytes. */
    public static byte[] toBytes(Collection<PackageEntry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(entries, out);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    /** Hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static void normalizeHeader(TarArchiveEntry te, int mode) {
        te.setMode(mode);
        te.setIds(0, 0);
        te.setUserName("");
        te.setGroupName("");
        te.setModTime(0L);
    }

    /** A PAX extended header we build ourselves, so it carries no user name or time of its own. */
    private static void writePax(TarArchiveOutputStream tar, Map<String, String> records) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, String> r : records.entrySet()) {
            byte[] kv = (" " + r.getKey() + "=" + r.getValue() + "\n").getBytes(StandardCharsets.UTF_8);
            int len = kv.length;
            int total = len + String.valueOf(len).length();
            while (total != len + String.valueOf(total).length()) {
                total = len + String.valueOf(total).length();
            }
            body.write(String.valueOf(total).getBytes(StandardCharsets.US_ASCII));
            body.write(kv);
        }
        TarArchiveEntry pax = new TarArchiveEntry("PaxHeader", TarConstants.LF_PAX_EXTENDED_HEADER_LC);
        normalizeHeader(pax, 0644);
        pax.setSize(body.size());
        tar.putArchiveEntry(pax);
        tar.write(body.toByteArray());
        tar.closeArchiveEntry();
    }

    // ---------------------------------------------------------------- the shared reading loop

    /** Where a checked archive's entries go: memory or disk. Parents always exist before their children arrive. */
    private interface Sink {
        void directory(String path) throws IOException;

        void file(String path, InputStream content, boolean executable) throws IOException;

        void symlink(String path, String target) throws IOException;

        /** A hard link: a copy of the earlier file {@code from}. */
        void copy(String from, String to, boolean executable) throws IOException;
    }

    private static void readArchive(InputStream raw, PackageLimits limits, Sink sink) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 64 * 1024);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        InputStream tarStream;
        try {
            tarStream = b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(in, 64 * 1024) : in;
        } catch (IOException e) {
            throw new PackageException("is not a valid .tar.gz: " + e.getMessage(), e);
        }
        TarArchiveInputStream tar = new TarArchiveInputStream(tarStream, StandardCharsets.UTF_8.name());
        Map<String, PackagePaths.Node> tree = new HashMap<>();
        tree.put("", new PackagePaths.Node(PackageEntry.Type.DIRECTORY, null, true));
        long[] total = {0};
        int entries = 0;
        boolean any = false;
        TarArchiveEntry te;
        while ((te = next(tar)) != null) {
            any = true;
            if (++entries > limits.maxEntries()) {
                throw new PackageException("the archive has more than " + limits.maxEntries() + " entries");
            }
            String path = PackagePaths.normalize(te.getName());
            if (path.isEmpty()) {
                if (te.isDirectory()) {
                    continue;
                }
                throw new PackageException("entry '" + te.getName() + "' has no name");
            }
            PackagePaths.Node existing = tree.get(path);
            if (existing != null) {
                if (existing.type() == PackageEntry.Type.DIRECTORY && te.isDirectory()) {
                    continue;
                }
                throw new PackageException("entry '" + path + "' appears twice in the archive");
            }
            // Parents: create missing ones; refuse to go through a link or a file.
            String parent = PackagePaths.parent(path);
            StringBuilder prefix = new StringBuilder();
            for (String seg : parent.isEmpty() ? new String[0] : parent.split("/")) {
                String p = prefix.isEmpty() ? seg : prefix + "/" + seg;
                prefix.setLength(0);
                prefix.append(p);
                PackagePaths.Node node = tree.get(p);
                if (node == null) {
                    sink.directory(p);
                    tree.put(p, new PackagePaths.Node(PackageEntry.Type.DIRECTORY, null, true));
                } else if (node.type() == PackageEntry.Type.SYMLINK) {
                    throw new PackageException("entry '" + path + "' would be written through the symbolic link '" + p
                            + "'; archives may not write through links");
                } else if (node.type() != PackageEntry.Type.DIRECTORY) {
                    throw new PackageException("entry '" + path + "' is inside '" + p + "', which is a file");
                }
            }
            if (te.isSymbolicLink()) {
                PackagePaths.checkLinkTarget(path, te.getLinkName());
                sink.symlink(path, te.getLinkName());
                tree.put(path, new PackagePaths.Node(PackageEntry.Type.SYMLINK, te.getLinkName(), false));
            } else if (te.isLink()) {
                String from;
                try {
                    from = PackagePaths.normalize(te.getLinkName());
                } catch (PackageException e) {
                    throw new PackageException("hard link '" + path + "' points to '" + te.getLinkName()
                            + "', outside the package; links must point inside the package");
                }
                PackagePaths.Node src = tree.get(from);
                if (src == null || src.type() != PackageEntry.Type.FILE) {
                    throw new PackageException("hard link '" + path + "' points to '" + from
                            + "', which is not a file earlier in the archive");
                }
                total[0] += sizeOf(tree, from, sink);
                if (total[0] > limits.maxUncompressedBytes()) {
                    throw tooLarge(limits);
                }
                sink.copy(from, path, src.executable());
                tree.put(path, new PackagePaths.Node(PackageEntry.Type.FILE, null, src.executable()));
            } else if (te.isDirectory()) {
                sink.directory(path);
                tree.put(path, new PackagePaths.Node(PackageEntry.Type.DIRECTORY, null, true));
            } else if (isRegularFile(te)) {
                boolean exec = (te.getMode() & 0111) != 0;
                sink.file(path, new LimitedStream(tar, total, limits), exec);
                tree.put(path, new PackagePaths.Node(PackageEntry.Type.FILE, null, exec));
            } else {
                throw new PackageException("entry '" + path + "' is a " + describe(te)
                        + "; packages hold only files, folders and symbolic links");
            }
        }
        if (!any) {
            throw new PackageException("the archive is empty");
        }
        PackagePaths.checkLinks(tree);
    }

    private static long sizeOf(Map<String, PackagePaths.Node> tree, String path, Sink sink) throws IOException {
        if (sink instanceof MemorySink m) {
            return m.entries.get(path).size();
        }
        if (sink instanceof ListingSink l) {
            return l.entries.get(path).size();
        }
        return Files.size(((DiskSink) sink).root.resolve(path));
    }

    private static TarArchiveEntry next(TarArchiveInputStream tar) {
        try {
            return tar.getNextEntry();
        } catch (IOException | IllegalArgumentException e) {
            throw new PackageException("is not a valid .tar.gz archive: " + e.getMessage(), e);
        }
    }

    /** Only the regular-file type flags; commons-compress's isFile() also says yes to devices and FIFOs. */
    private static boolean isRegularFile(TarArchiveEntry te) {
        byte flag = te.getLinkFlag();
        return (flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM || flag == TarConstants.LF_CONTIG)
                && !te.isSparse() && !te.isGNUSparse() && !te.getName().endsWith("/");
    }

    private static String describe(TarArchiveEntry te) {
        if (te.isCharacterDevice()) {
            return "character device";
        }
        if (te.isBlockDevice()) {
            return "block device";
        }
        if (te.isFIFO()) {
            return "FIFO";
        }
        if (te.isSparse() || te.isGNUSparse()) {
            return "sparse file";
        }
        return "entry of unsupported type '" + (char) te.getLinkFlag() + "'";
    }

    static PackageException tooLarge(PackageLimits limits) {
        long max = limits.maxUncompressedBytes();
        String size = max % (1024 * 1024) == 0 ? max / (1024 * 1024) + " MiB" : max + " bytes";
        return new PackageException("the package holds more than " + size + " of uncompressed content, the limit;"
                + " make it smaller (leave build outputs, caches and logs out)");
    }

    /** Reads one entry's content while counting towards the whole archive's limit. */
    private static final class LimitedStream extends InputStream {
        private final InputStream in;
        private final long[] total;
        private final PackageLimits limits;

        LimitedStream(InputStream in, long[] total, PackageLimits limits) {
            this.in = in;
            this.total = total;
            this.limits = limits;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                throw new PackageException("is not a valid .tar.gz archive: " + e.getMessage(), e);
            }
            if (n > 0) {
                total[0] += n;
                if (total[0] > limits.maxUncompressedBytes()) {
                    throw tooLarge(limits);
                }
            }
            return n;
        }
    }

    private static final class MemorySink implements Sink {
        final TreeMap<String, PackageEntry> entries = new TreeMap<>();

        @Override
        public void directory(String path) {
            entries.put(path, PackageEntry.directory(path));
        }

        @Override
        public void file(String path, InputStream content, boolean executable) throws IOException {
            entries.put(path, PackageEntry.fileOwning(path, content.readAllBytes(), executable));
        }

        @Override
        public void symlink(String path, String target) {
            entries.put(path, PackageEntry.symlink(path, target));
        }

        @Override
        public void copy(String from, String to, boolean executable) {
            entries.put(to, PackageEntry.fileOwning(to, entries.get(from).contentUnsafe(), executable));
        }
    }

    /** Keeps the structure of an archive and the content of the manifest only. */
    private static final class ListingSink implements Sink {
        static final int MAX_MANIFEST_BYTES = 1024 * 1024;
        final TreeMap<String, PackageEntry> entries = new TreeMap<>();
        final String keepName;

        ListingSink(String keepName) {
            this.keepName = keepName;
        }

        @Override
        public void directory(String path) {
            entries.put(path, PackageEntry.directory(path));
        }

        @Override
        public void file(String path, InputStream content, boolean executable) throws IOException {
            boolean keep = (path.equals(keepName) || path.endsWith("/" + keepName)) && path.indexOf('/') == path.lastIndexOf('/');
            if (keep) {
                byte[] bytes = content.readNBytes(ListingSink.MAX_MANIFEST_BYTES + 1);
                if (bytes.length > ListingSink.MAX_MANIFEST_BYTES) {
                    throw new PackageException("'" + path + "' is larger than " + ListingSink.MAX_MANIFEST_BYTES + " bytes; a manifest is a short text");
                }
                entries.put(path, PackageEntry.fileOwning(path, bytes, executable));
            } else {
                entries.put(path, PackageEntry.listed(path, content.transferTo(OutputStream.nullOutputStream()), executable));
            }
        }

        @Override
        public void symlink(String path, String target) {
            entries.put(path, PackageEntry.symlink(path, target));
        }

        @Override
        public void copy(String from, String to, boolean executable) {
            entries.put(to, entries.get(from).withPath(to));
        }
    }

    /** Writes into a fresh folder only this extraction uses; never follows links, never overwrites. */
    private static final class DiskSink implements Sink {
        final Path root;
        final List<String> dirs = new java.util.ArrayList<>(List.of(""));

        DiskSink(Path root) {
            this.root = root;
        }

        private Path at(String path) {
            Path p = root.resolve(path).normalize();
            if (!p.startsWith(root) || p.equals(root)) {
                throw new PackageException("entry '" + path + "' leaves the package");
            }
            return p;
        }

        @Override
        public void directory(String path) throws IOException {
            Files.createDirectory(at(path));
            dirs.add(path);
        }

        @Override
        public void file(String path, InputStream content, boolean executable) throws IOException {
            Path p = at(path);
            try (OutputStream out = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                content.transferTo(out);
            }
            setPermissions(p, executable ? EXECUTABLE : REGULAR);
        }

        @Override
        public void symlink(String path, String target) throws IOException {
            Files.createSymbolicLink(at(path), Path.of(target));
        }

        @Override
        public void copy(String from, String to, boolean executable) throws IOException {
            Path src = at(from);
            Path dst = at(to);
            try (InputStream in = Files.newInputStream(src, LinkOption.NOFOLLOW_LINKS);
                 OutputStream out = Files.newOutputStream(dst, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                         LinkOption.NOFOLLOW_LINKS)) {
                in.transferTo(out);
            }
            setPermissions(dst, executable ? EXECUTABLE : REGULAR);
        }
    }

    private static void setPermissions(Path p, Set<PosixFilePermission> perms) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view != null) {
            view.setPermissions(perms);
        }
    }

    /** Deletes a folder tree without following links (links are removed, not their targets). */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, Set.of(), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
