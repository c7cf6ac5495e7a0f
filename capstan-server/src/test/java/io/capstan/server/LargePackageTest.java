package io.capstan.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.server.TestApiClient.Reply;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A package of more than 1 GiB (a code package with a large, incompressible file) registers: the server streams
 * it to disk while hashing it and checks it without holding it. The test JVM's heap is 1 GiB, so a server that
 * buffered the upload could not answer at all.
 */
class LargePackageTest {

    private static final String MANIFEST = TestPackages.statelessManifest("BigPackageType", 0.1);
    private static final long BLOB = 1L << 30;

    @Test
    void aPackageOfMoreThanOneGibibyteRegisters(@TempDir Path dir) throws Exception {
        Path archive = dir.resolve("big.tar");
        String digest = writeArchive(archive);
        assertThat(Files.size(archive)).isGreaterThan(BLOB);
        try (CapstanServer server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + TestApiClient.freePort(), 0,
                dir.resolve("server"))).start()) {
            TestApiClient api = new TestApiClient(server::apiUrl);
            await().atMost(Duration.ofSeconds(20)).until(() -> server.store().isLeader());
            Reply r = api.send(HttpRequest.newBuilder(URI.create(api.base() + "/v1/apptypes"))
                    .header("Content-Type", "application/x-tar").POST(HttpRequest.BodyPublishers.ofFile(archive)).build());
            assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
            assertThat(r.body().path("packageDigest").asText()).isEqualTo(digest);
            assertThat(r.body().path("packageSize").asLong()).isEqualTo(Files.size(archive));
            assertThat(Files.size(dir.resolve("server/packages/" + digest + ".tar.gz"))).isEqualTo(Files.size(archive));
        }
    }

    /** The manifest, run.sh and 1 GiB of random bytes as a plain tar, written as it is hashed. */
    private static String writeArchive(Path archive) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (OutputStream file = new DigestOutputStream(Files.newOutputStream(archive), sha);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            add(tar, "capstan-app.yaml", MANIFEST.getBytes(StandardCharsets.UTF_8), 0644);
            add(tar, "WebPackage/Web/run.sh", "#!/bin/sh\nexec sleep 3600\n".getBytes(StandardCharsets.UTF_8), 0755);
            TarArchiveEntry blob = new TarArchiveEntry("WebPackage/Web/model.bin");
            blob.setSize(BLOB);
            blob.setMode(0644);
            tar.putArchiveEntry(blob);
            SplittableRandom random = new SplittableRandom(1);
            byte[] chunk = new byte[1 << 20];
            for (long written = 0; written < BLOB; written += chunk.length) {
                for (int i = 0; i < chunk.length; i += 8) {
                    long v = random.nextLong();
                    for (int b = 0; b < 8; b++) {
                        chunk[i + b] = (byte) (v >>> (8 * b));
                    }
                }
                tar.write(chunk);
            }
            tar.closeArchiveEntry();
            tar.finish();
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws Exception {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        e.setMode(mode);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
