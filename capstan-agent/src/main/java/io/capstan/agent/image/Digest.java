package io.capstan.agent.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content digest as OCI writes it, {@code sha256:<64 hex>}; the only algorithm images here use. */
public record Digest(String hex) {

    private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");

    public Digest {
        if (hex == null || !hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a sha256 digest is 64 lower-case hex digits, got " + hex);
        }
    }

    /** Parses {@code sha256:<hex>}; names the field in the error. */
    public static Digest parse(String value, String field) throws IOException {
        if (value == null || !SHA256.matcher(value).matches()) {
            throw new IOException(field + " must be a digest like sha256:<64 hex digits>, got " + value);
        }
        return new Digest(value.substring("sha256:".length()));
    }

    /** The sha256 of a file's bytes. */
    public static Digest of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = sha256();
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return new Digest(HexFormat.of().formatHex(md.digest()));
        }
    }

    /** The sha256 of some bytes. */
    public static Digest of(byte[] bytes) {
        return new Digest(HexFormat.of().formatHex(sha256().digest(bytes)));
    }

    /** Refuses {@code file} unless its content hashes to this digest. */
    public void verify(Path file, String what) throws IOException {
        Digest actual = of(file);
        if (!actual.equals(this)) {
            throw new IOException(what + " " + this + " is corrupt: its content hashes to " + actual
                    + "; rebuild or pull the image again");
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
