package io.capstan.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Content digests of the folders of extracted application packages (a code, config or data package's folder): hex
 * SHA-256 over every entry in sorted relative-path order, each with its type, executable bit, and bytes (or link
 * target). Only the executable bit of a mode counts, as in the canonical archive, so a folder hashes the same on any
 * node. An extracted package never changes under its digest, so each folder is hashed once per package and cached.
 */
final class FolderDigests {

    /** The digest of a folder the package does not have. */
    static final String ABSENT = "absent";

    private final ConcurrentHashMap<String, String> cache = new ConcurrentHashMap<>();

    /** The digest of {@code relative} inside the package extracted at {@code packageRoot} under {@code packageDigest}. */
    String of(String packageDigest, Path packageRoot, String relative) throws IOException {
        String key = packageDigest + "/" + relative;
        String known = cache.get(key);
        if (known != null) {
            return known;
        }
        String computed = compute(packageRoot.resolve(relative));
        cache.put(key, computed);
        return computed;
    }

    /** Forgets the folders of packages not in {@code packageDigests} (the package cache removed them). */
    void retainOnly(Set<String> packageDigests) {
        // Package digests hold no '/' (PackageCache refuses them), so the key's first segment is the package.
        cache.keySet().removeIf(k -> !packageDigests.contains(k.substring(0, k.indexOf('/'))));
    }

    /** Hashes {@code folder} now; {@link #ABSENT} when it is not a folder. */
    static String compute(Path folder) throws IOException {
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return ABSENT;
        }
        List<String> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.filter(p -> !p.equals(folder)).forEach(p -> paths.add(folder.relativize(p).toString()));
        }
        paths.sort(null);
        MessageDigest sha = sha256();
        byte[] buffer = new byte[1 << 16];
        for (String rel : paths) {
            Path p = folder.resolve(rel);
            String header;
            if (Files.isSymbolicLink(p)) {
                header = "L " + rel + "\0" + Files.readSymbolicLink(p);
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                header = "D " + rel;
            } else {
                header = (Files.isExecutable(p) ? "X " : "F ") + rel + "\0" + Files.size(p);
            }
            sha.update(header.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            if (header.charAt(0) == 'X' || header.charAt(0) == 'F') {
                try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        sha.update(buffer, 0, n);
                    }
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
