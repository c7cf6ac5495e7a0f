package io.capstan.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an image from a folder: an OCI image layout ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/}),
 * or what {@code docker save} wrote before Docker 25 ({@code manifest.json} naming a config and layer tars). Every
 * blob it reads is checked against its digest; layers are checked when they are unpacked.
 */
public final class OciLayout {

    private static final String INDEX_TYPE = "application/vnd.oci.image.index.v1+json";
    private static final String DOCKER_LIST_TYPE = "application/vnd.docker.distribution.manifest.list.v2+json";

    private final ObjectMapper json;

    public OciLayout(ObjectMapper json) {
        this.json = json;
    }

    /** The image in {@code dir}; for a layout holding several, the first manifest of its index. */
    public ImageManifest read(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("index.json"))) {
            JsonNode index = json.readTree(dir.resolve("index.json").toFile());
            return fromIndex(dir, index, "index.json");
        }
        if (Files.isRegularFile(dir.resolve("manifest.json"))) {
            return dockerSave(dir);
        }
        throw new IOException(dir + " is not an image: it has neither index.json (OCI layout) nor manifest.json (docker save)");
    }

    private ImageManifest fromIndex(Path dir, JsonNode index, String where) throws IOException {
        JsonNode manifests = index.path("manifests");
        if (!manifests.isArray() || manifests.isEmpty()) {
            throw new IOException(where + " of " + dir + " lists no manifests");
        }
        JsonNode chosen = manifests.get(0);
        for (JsonNode m : manifests) {
            JsonNode platform = m.path("platform");
            if ("linux".equals(platform.path("os").asText()) && "amd64".equals(platform.path("architecture").asText())) {
                chosen = m;
                break;
            }
        }
        Digest digest = Digest.parse(chosen.path("digest").asText(null), where + " manifests[].digest");
        byte[] bytes = blob(dir, digest, "manifest");
        String type = chosen.path("mediaType").asText("");
        JsonNode node = json.readTree(bytes);
        if (INDEX_TYPE.equals(type) || DOCKER_LIST_TYPE.equals(type) || node.has("manifests")) {
            return fromIndex(dir, node, "index " + digest);
        }
        return manifest(dir, digest, node);
    }

    /** Parses an image manifest whose blobs live in {@code dir}/blobs/sha256 (also how a registry pull stores them). */
    public ImageManifest manifest(Path dir, Digest digest, JsonNode manifest) throws IOException {
        Digest configDigest = Digest.parse(manifest.path("config").path("digest").asText(null), "manifest config.digest");
        ImageConfig config = config(json.readTree(blob(dir, configDigest, "image config")));
        List<Layer> layers = new ArrayList<>();
        for (JsonNode l : manifest.path("layers")) {
            Digest d = Digest.parse(l.path("digest").asText(null), "manifest layers[].digest");
            layers.add(new Layer(d, blobPath(dir, d)));
        }
        return new ImageManifest(digest, config, layers);
    }

    private ImageManifest dockerSave(Path dir) throws IOException {
        JsonNode list = json.readTree(dir.resolve("manifest.json").toFile());
        JsonNode entry = list.path(0);
        String configFile = entry.path("Config").asText(null);
        if (configFile == null) {
            throw new IOException("manifest.json of " + dir + " names no Config");
        }
        byte[] configBytes = Files.readAllBytes(inside(dir, configFile));
        JsonNode config = json.readTree(configBytes);
        JsonNode diffIds = config.path("rootfs").path("diff_ids");
        JsonNode files = entry.path("Layers");
        if (files.size() != diffIds.size()) {
            throw new IOException("manifest.json of " + dir + " lists " + files.size() + " layers but its config has "
                    + diffIds.size() + " diff_ids");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            // docker save layers are plain tars: their digests are the config's diff_ids.
            layers.add(new Layer(Digest.parse(diffIds.get(i).asText(null), "config rootfs.diff_ids[" + i + "]"),
                    inside(dir, files.get(i).asText())));
        }
        // The image id is the digest of its config.
        return new ImageManifest(Digest.of(configBytes), config(config), layers);
    }

    static ImageConfig config(JsonNode image) {
        JsonNode c = image.path("config");
        return new ImageConfig(strings(c.path("Entrypoint")), strings(c.path("Cmd")), strings(c.path("Env")),
                c.path("WorkingDir").asText(null), c.path("User").asText(null));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static byte[] blob(Path dir, Digest digest, String what) throws IOException {
        Path p = blobPath(dir, digest);
        if (!Files.isRegularFile(p)) {
            throw new IOException(what + " " + digest + " is missing from " + dir.resolve("blobs/sha256"));
        }
        byte[] bytes = Files.readAllBytes(p);
        Digest actual = Digest.of(bytes);
        if (!actual.equals(digest)) {
            throw new IOException(what + " " + digest + " is corrupt: its content hashes to " + actual);
        }
        return bytes;
    }

    static Path blobPath(Path dir, Digest digest) {
        return dir.resolve("blobs").resolve("sha256").resolve(digest.hex());
    }

    private static Path inside(Path dir, String name) throws IOException {
        Path p = dir.resolve(name).normalize();
        if (!p.startsWith(dir)) {
            throw new IOException(name + " points outside the image " + dir);
        }
        return p;
    }
}
