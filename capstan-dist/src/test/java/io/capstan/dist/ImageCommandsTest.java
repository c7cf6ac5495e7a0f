package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.agent.PortRange;
import io.capstan.agent.image.ImagePruner;
import io.capstan.agent.process.Executables;
import io.capstan.cli.CapstanCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code capstan image pull|list|prune --node N} against a dev cluster whose node pulls from Debian's docker-registry on
 * loopback behind htpasswd (Basic) auth, with the credentials from the node's credentials file: the command goes
 * through the server to the node's agent with a heartbeat, and its answer comes back the same way.
 */
class ImageCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Process registry;
    DevCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        if (registry != null) {
            registry.destroyForcibly().onExit().join();
        }
    }

    @Test
    void pullListAndPruneAnImageOnANodeThroughTheServer() throws Exception {
        assumeTrue(Executables.find("docker-registry").isPresent() && Executables.find("skopeo").isPresent()
                && Executables.find("htpasswd").isPresent(), "needs docker-registry, skopeo and htpasswd (apache2-utils)");
        int port = TestCluster.freePort();
        Process hash = new ProcessBuilder("htpasswd", "-Bbn", "capstan", "s3cret").start();
        Files.write(tmp.resolve("htpasswd"), hash.getInputStream().readAllBytes());
        assertThat(hash.waitFor()).isZero();
        Files.writeString(tmp.resolve("registry.yml"), "version: 0.1\nlog: {level: warn}\n"
                + "storage: {filesystem: {rootdirectory: " + tmp.resolve("registry") + "}}\n"
                + "http: {addr: 127.0.0.1:" + port + "}\n"
                + "auth: {htpasswd: {realm: capstan-test, path: " + tmp.resolve("htpasswd") + "}}\n");
        registry = new ProcessBuilder("docker-registry", "serve", tmp.resolve("registry.yml").toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("registry.log").toFile()).start();
        await().until(() -> {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        Path layout = tmp.resolve("layout");
        writeLayout(layout);
        Process push = new ProcessBuilder("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "capstan:s3cret",
                "oci:" + layout + ":latest", "docker://127.0.0.1:" + port + "/team/web:1.4").redirectErrorStream(true).start();
        String pushed = new String(push.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(push.waitFor()).as(pushed).isZero();

        Path credentials = tmp.resolve("registries.yaml");
        Files.writeString(credentials, "\"127.0.0.1:" + port + "\": {username: capstan, password: s3cret}\n");
        cluster = new DevCluster(new DevCluster.Settings(1, tmp.resolve("cluster"), TestCluster.freePort(), TestCluster.freePort(),
                Map.of("cpu", 1.0, "memoryMiB", 1024.0), new PortRange(29500, 29599), null, false))
                .withImages(ImagePruner.Policy.DEFAULT, credentials).start();
        String server = cluster.apiUrl();
        String ref = "127.0.0.1:" + port + "/team/web:1.4";
        // Up, not only registered: under load the server can mark a node Down right after it registered.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Result show = cli("node", "show", "node-1", "-o", "json", "--server", server);
            return show.exit() == 0 && "Up".equals(JSON.readTree(show.out()).path("status").asText());
        });

        Result pull = cli("image", "pull", ref, "--node", "node-1", "--server", server);
        assertThat(pull.exit()).as(pull.err()).isZero();
        assertThat(pull.out()).startsWith("pulled " + ref + " onto node-1 as sha256:");
        String digest = pull.out().strip().replaceFirst(".* as ", "");

        Result list = cli("image", "list", "--node", "node-1", "-o", "json", "--server", server);
        assertThat(list.exit()).as(list.err()).isZero();
        JsonNode command = JSON.readTree(list.out());
        assertThat(command.path("state").asText()).isEqualTo("Succeeded");
        JsonNode image = command.path("result").path("images").get(0);
        assertThat(image.path("digest").asText()).isEqualTo(digest);
        assertThat(image.path("references").get(0).asText()).isEqualTo(ref);
        assertThat(image.path("inUse").asBoolean()).isFalse();
        assertThat(image.path("sizeBytes").asLong()).isPositive();
        assertThat(cli("image", "list", "--node", "node-1", "--server", server).out())
                .contains(digest).contains(ref).contains("unused images are removed after 24h");

        Result missing = cli("image", "pull", "127.0.0.1:" + port + "/team/nope:1", "--node", "node-1", "--server", server);
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("node node-1: registry 127.0.0.1:" + port + " has no team/nope:1");

        Result prune = cli("image", "prune", "--node", "node-1", "--server", server);
        assertThat(prune.exit()).as(prune.err()).isZero();
        assertThat(prune.out()).contains("removed " + digest).contains("1 image(s) removed");
        assertThat(JSON.readTree(cli("image", "list", "--node", "node-1", "-o", "json", "--server", server).out())
                .path("result").path("images")).isEmpty();
        try (var blobs = Files.list(tmp.resolve("cluster/nodes/node-1/images/blobs-layout/blobs/sha256"))) {
            assertThat(blobs.toList()).as("the pulled blobs go with the image").isEmpty();
        }
    }

    @Test
    void anUnreadableCredentialsFileIsAUsageError() throws Exception {
        // Missing or refused credentials against a real registry: RegistryAuthTest (capstan-agent).
        Result r = cliWith(new String[] {"agent", "--servers", "http://127.0.0.1:1", "--name", "n1", "--data",
                tmp.resolve("a").toString(), "--registry-credentials", tmp.resolve("none.yaml").toString()});
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--registry-credentials: cannot read");
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result cli(String... args) {
        CommandLine cl = CapstanCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private static Result cliWith(String[] args) {
        CommandLine cl = CapstanCli.commandLine();
        cl.addSubcommand("agent", new AgentCommand());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Result(cl.execute(args), out.toString(), err.toString());
    }

    /** A one-layer OCI image layout (a file and a directory), enough to pull, list and prune. */
    private static void writeLayout(Path dir) throws Exception {
        ByteArrayOutputStream tarGz = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(tarGz))) {
            TarArchiveEntry d = new TarArchiveEntry("www/");
            d.setMode(040755);
            tar.putArchiveEntry(d);
            tar.closeArchiveEntry();
            byte[] content = "hello from an image\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry f = new TarArchiveEntry("www/index.html");
            f.setMode(0100644);
            f.setSize(content.length);
            tar.putArchiveEntry(f);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        byte[] layer = tarGz.toByteArray();
        String layerDigest = blob(dir, layer);
        byte[] config = JSON.writeValueAsBytes(Map.of("architecture", "amd64", "os", "linux",
                "config", Map.of("Cmd", List.of("/bin/true")), "rootfs", Map.of("type", "layers", "diff_ids", List.of(layerDigest))));
        String configDigest = blob(dir, config);
        byte[] manifest = JSON.writeValueAsBytes(Map.of("schemaVersion", 2, "mediaType", "application/vnd.oci.image.manifest.v1+json",
                "config", Map.of("mediaType", "application/vnd.oci.image.config.v1+json", "digest", configDigest, "size", config.length),
                "layers", List.of(Map.of("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip", "digest", layerDigest,
                        "size", layer.length))));
        String manifestDigest = blob(dir, manifest);
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(Map.of("schemaVersion", 2, "manifests", List.of(
                Map.of("mediaType", "application/vnd.oci.image.manifest.v1+json", "digest", manifestDigest, "size", manifest.length,
                        "annotations", Map.of("org.opencontainers.image.ref.name", "latest"))))));
    }

    private static String blob(Path dir, byte[] content) throws Exception {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.write(dir.resolve("blobs/sha256").resolve(hex), content);
        return "sha256:" + hex;
    }
}
