package io.capstan.server;

import io.capstan.server.api.ApiException;
import io.capstan.state.ratis.Durable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An uploaded package archive, streamed to a temporary file beside the package store while it is hashed and
 * counted, never held in memory; refused with 413 once it passes the server's request size limit.
 */
public record PackageUpload(Path file, String digest, long size) implements AutoCloseable {

    private static final int BUFFER = 1 << 16;

    /** Reads {@code body} to a new file in {@code dir}; 413 (and no file left) when it is over {@code maxBytes}. */
    public static PackageUpload receive(InputStream body, Path dir, long maxBytes) throws IOException {
        Path tmp = Files.createTempFile(dir, ".upload-", ".tmp");
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
        long size = 0;
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha)) {
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = body.read(buffer)) > 0; ) {
                size += n;
                if (size > maxBytes) {
                    throw new ApiException(413, "TOO_LARGE", "the package is larger than this server accepts (" + maxBytes
                            + " bytes); raise it with `capstan server --max-request-size` (e.g. 4GiB) if it should be allowed");
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Durable.fsync(tmp);
        return new PackageUpload(tmp, HexFormat.of().formatHex(sha.digest()), size);
    }

    /** Deletes the temporary file unless it was moved into the store. */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }
}
