package io.capstan.agent.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds small OCI image layouts in tests: layers from in-memory entries, and a busybox image from Debian's busybox-static. */
public final class TestImages {

    public static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final ObjectMapper JSON = CapstanJson.newMapper();

    private TestImages() {
    }

    /** One tar entry: a file (content), a directory (name ends in /) or a symlink (link target). */
    public record Entry(String name, byte[] content, String linkTarget, int mode) {
        public static Entry file(String name, String content) {
            return new Entry(name, content.getBytes(StandardCharsets.UTF_8), null, 0644);
        }

        public static Entry dir(String name) {
            return new Entry(name.endsWith("/") ? name : name + "/", null, null, 0755);
        }

        public static Entry symlink(String name, String target) {
            return new Entry(name, null, target, 0777);
        }
    }

    /** A layer tar, gzip-compressed or not. */
    public static byte[] layer(boolean gzip, List<Entry> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream raw = gzip ? new GzipCompressorOutputStream(bytes) : bytes;
             TarArchiveOutputStream tar = new TarArchiveOutputStream(raw)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry e : entries) {
                TarArchiveEntry t;
                if (e.linkTarget() != null) {
                    t = new TarArchiveEntry(e.name(), TarArchiveEntry.LF_SYMLINK);
                    t.setLinkName(e.linkTarget());
                } else {
                    t = new TarArchiveEntry(e.name());
                    if (e.content() != null) {
                        t.setSize(e.content().length);
                    }
                }
                t.setMode((e.linkTarget() != null ? 0120000 : e.content() == null ? 040000 : 0100000) | e.mode());
                tar.putArchiveEntry(t);
                if (e.content() != null) {
                    tar.write(e.content());
                }
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** The busybox binary with the applets the tests use, as one gzip layer. */
    public static byte[] busyboxLayer() throws IOException {
        List<Entry> entries = new ArrayList<>();
        entries.add(Entry.dir("bin"));
        entries.add(new Entry("bin/busybox", Files.readAllBytes(BUSYBOX), null, 0755));
        for (String applet : List.of("sh", "cat", "echo", "hostname", "httpd", "sleep", "touch", "dd", "head", "tr", "yes", "ls", "id")) {
            entries.add(Entry.symlink("bin/" + applet, "busybox"));
        }
        entries.add(Entry.dir("www"));
        entries.add(Entry.file("www/index.html", "hello from a container\n"));
        return layer(true, entries);
    }

    /** Writes an OCI image layout to {@code dir} with these layers (bottom first); returns the manifest digest. */
    public static Digest writeLayout(Path dir, List<byte[]> layers, List<String> cmd) throws IOException {
        Path blobs = dir.resolve("blobs/sha256");
        Files.createDirectories(blobs);
        List<Map<String, Object>> layerDescriptors = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (byte[] l : layers) {
            Digest d = blob(blobs, l);
            layerDescriptors.add(Map.of("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest", d.toString(), "size", l.length));
            diffIds.add(d.toString()); // not checked by the agent for OCI layouts
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put("config", Map.of("Cmd", cmd, "Env", List.of("PATH=/bin", "FROM_IMAGE=yes")));
        config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        byte[] configBytes = JSON.writeValueAsBytes(config);
        Digest configDigest = blob(blobs, configBytes);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", Map.of("mediaType", "application/vnd.oci.image.config.v1+json",
                "digest", configDigest.toString(), "size", configBytes.length));
        manifest.put("layers", layerDescriptors);
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        Digest manifestDigest = blob(blobs, manifestBytes);
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(Map.of("schemaVersion", 2,
                "manifests", List.of(Map.of("mediaType", "application/vnd.oci.image.manifest.v1+json",
                        "digest", manifestDigest.toString(), "size", manifestBytes.length,
                        "annotations", Map.of("org.opencontainers.image.ref.name", "latest"))))));
        return manifestDigest;
    }

    private static Digest blob(Path blobs, byte[] content) throws IOException {
        Digest d = Digest.of(content);
        Files.write(blobs.resolve(d.hex()), content);
        return d;
    }
}
