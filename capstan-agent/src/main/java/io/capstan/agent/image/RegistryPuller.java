package io.capstan.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls images over the OCI distribution API v2 ({@code GET /v2/<repo>/manifests/<ref>}, {@code GET
 * /v2/<repo>/blobs/<digest>}) into the node's blob store, then has the {@link ImageStore} unpack them. Every blob is
 * checked against its digest before it is kept; blobs already here are not fetched again, and concurrent pulls of
 * one reference are one pull. Loopback registries are spoken to over plain HTTP, others over HTTPS.
 */
public final class RegistryPuller {

    private static final Logger log = LoggerFactory.getLogger(RegistryPuller.class);
    private static final String ACCEPT = String.join(", ",
            "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");

    private final ImageStore store;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final SingleFlight<ImageReference, UnpackedImage> pulling = new SingleFlight<>();

    public RegistryPuller(ImageStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    /** Pulls and unpacks {@code ref}; callers asking for the same reference meanwhile share this pull. */
    public UnpackedImage pull(ImageReference ref) throws IOException, InterruptedException {
        return pulling.run(ref, () -> doPull(ref));
    }

    private UnpackedImage doPull(ImageReference ref) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Path blobs = store.blobsRoot();
        Files.createDirectories(blobs.resolve("blobs/sha256"));
        String reference = ref.reference();
        while (true) {
            HttpResponse<byte[]> r = get(ref, "manifests/" + reference, ACCEPT);
            byte[] body = r.body();
            Digest digest = Digest.of(body);
            if (reference.startsWith("sha256:") && !digest.toString().equals(reference)) {
                throw new IOException("registry sent a manifest for " + ref + " that hashes to " + digest + ", not " + reference);
            }
            JsonNode manifest = json.readTree(body);
            if (manifest.has("manifests")) {
                reference = platformManifest(ref, manifest);
                continue;
            }
            Digest config = Digest.parse(manifest.path("config").path("digest").asText(null), "manifest config.digest");
            fetchBlob(ref, config, blobs);
            for (JsonNode layer : manifest.path("layers")) {
                fetchBlob(ref, Digest.parse(layer.path("digest").asText(null), "manifest layers[].digest"), blobs);
            }
            UnpackedImage image = store.unpack(store.layout().manifest(blobs, digest, manifest));
            log.info("pulled {} as {} in {} ms", ref, digest, (System.nanoTime() - t0) / 1_000_000);
            return image;
        }
    }

    private static String platformManifest(ImageReference ref, JsonNode index) throws IOException {
        for (JsonNode m : index.path("manifests")) {
            JsonNode p = m.path("platform");
            if ("linux".equals(p.path("os").asText()) && "amd64".equals(p.path("architecture").asText())) {
                return m.path("digest").asText();
            }
        }
        if (index.path("manifests").size() == 1) {
            return index.path("manifests").get(0).path("digest").asText();
        }
        throw new IOException(ref + " has no linux/amd64 image");
    }

    private void fetchBlob(ImageReference ref, Digest digest, Path blobs) throws IOException, InterruptedException {
        Path target = OciLayout.blobPath(blobs, digest);
        if (Files.isRegularFile(target)) {
            return; // kept only after it was verified
        }
        Path tmp = target.resolveSibling(digest.hex() + ".part-" + UUID.randomUUID());
        try {
            HttpRequest req = request(ref, "blobs/" + digest, "*/*");
            HttpResponse<Path> r = http.send(req, HttpResponse.BodyHandlers.ofFile(tmp));
            if (r.statusCode() != 200) {
                throw new IOException("registry " + ref.registry() + " answered " + r.statusCode() + " for blob " + digest
                        + " of " + ref.repository());
            }
            digest.verify(tmp, "blob");
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private HttpResponse<byte[]> get(ImageReference ref, String path, String accept) throws IOException, InterruptedException {
        HttpResponse<byte[]> r;
        try {
            r = http.send(request(ref, path, accept), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.net.ConnectException e) {
            throw new IOException("cannot reach registry " + ref.registry() + " for " + ref + ": " + e.getMessage(), e);
        }
        if (r.statusCode() == 404) {
            throw new IOException("registry " + ref.registry() + " has no " + ref.repository() + ":" + ref.reference());
        }
        if (r.statusCode() != 200) {
            throw new IOException("registry " + ref.registry() + " answered " + r.statusCode() + " for " + ref);
        }
        return r;
    }

    private static HttpRequest request(ImageReference ref, String path, String accept) {
        String host = ref.registry();
        boolean loopback = host.startsWith("127.") || host.startsWith("localhost") || host.startsWith("[::1]");
        URI uri = URI.create((loopback ? "http://" : "https://") + host + "/v2/" + ref.repository() + "/" + path);
        return HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).header("Accept", accept).GET().build();
    }
}
