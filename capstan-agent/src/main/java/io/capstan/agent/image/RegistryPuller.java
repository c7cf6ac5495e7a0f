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
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    private static final java.util.regex.Pattern CHALLENGE_PARAM = java.util.regex.Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final String ACCEPT = String.join(", ",
            "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");

    private final ImageStore store;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final SingleFlight<ImageReference, UnpackedImage> pulling = new SingleFlight<>();

    private final RegistryCredentials credentials;
    /** The Authorization that last worked per registry and repository (Bearer tokens are scoped to a repository). */
    private final Map<String, String> authorizations = new ConcurrentHashMap<>();

    public RegistryPuller(ImageStore store, ObjectMapper json) {
        this(store, json, RegistryCredentials.NONE);
    }

    public RegistryPuller(ImageStore store, ObjectMapper json, RegistryCredentials credentials) {
        this.store = store;
        this.json = json;
        this.credentials = credentials;
    }

    /**
     * Pulls and unpacks {@code ref}; callers asking for the same reference meanwhile share this pull. Call it inside
     * {@link ImageStore#shared} (so no prune removes blobs before they are unpacked); taking that lock in here instead
     * could deadlock against a queued prune while another holder waits for this pull.
     */
    public UnpackedImage pull(ImageReference ref) throws IOException, InterruptedException {
        return pulling.run(ref, () -> {
            UnpackedImage image = doPull(ref);
            store.addReference(image.digest(), ref.toString());
            return image;
        });
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
            HttpResponse<Path> r = send(ref, "blobs/" + digest, "*/*", HttpResponse.BodyHandlers.ofFile(tmp,
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
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
            r = send(ref, path, accept, HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.net.ConnectException e) {
            throw new IOException("cannot reach registry " + ref.registry() + " for " + ref + ": "
                    + (e.getMessage() == null ? "connection refused" : e.getMessage()), e);
        }
        if (r.statusCode() == 404) {
            throw new IOException("registry " + ref.registry() + " has no " + ref.repository() + ":" + ref.reference());
        }
        if (r.statusCode() != 200) {
            throw new IOException("registry " + ref.registry() + " answered " + r.statusCode() + " for " + ref);
        }
        return r;
    }

    /**
     * One request, with the Authorization that worked before; a 401 is answered once from its challenge (Basic with
     * the node's user and password; Bearer with a token from the registry's token service, or the node's own token).
     */
    private <T> HttpResponse<T> send(ImageReference ref, String path, String accept, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        String key = ref.registry() + "/" + ref.repository();
        HttpResponse<T> r = http.send(request(ref, path, accept, authorizations.get(key)), handler);
        if (r.statusCode() != 401) {
            return r;
        }
        String authorization = authorize(ref, r.headers().firstValue("WWW-Authenticate").orElse(""));
        r = http.send(request(ref, path, accept, authorization), handler);
        if (r.statusCode() == 401) {
            throw new IOException("registry " + ref.registry() + " refused the node's credentials for " + ref
                    + ": check its entry in the registry credentials file");
        }
        authorizations.put(key, authorization);
        return r;
    }

    private String authorize(ImageReference ref, String challenge) throws IOException, InterruptedException {
        var credential = credentials.forRegistry(ref.registry());
        String scheme = challenge.split(" ", 2)[0];
        Map<String, String> params = new java.util.HashMap<>();
        java.util.regex.Matcher m = CHALLENGE_PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2));
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            return credential.flatMap(RegistryCredentials.Credential::basic).orElseThrow(() -> new IOException(
                    "registry " + ref.registry() + " asks for a user and password (Basic) to pull " + ref + ": add "
                            + ref.registry() + ": {username: ..., password: ...} to the node's registry credentials"
                            + " (capstan agent --registry-credentials FILE)"));
        }
        if (!scheme.equalsIgnoreCase("Bearer") || !params.containsKey("realm")) {
            throw new IOException("registry " + ref.registry() + " asks for authentication Capstan cannot give: " + challenge);
        }
        if (credential.isPresent() && credential.get().token() != null) {
            return "Bearer " + credential.get().token();
        }
        StringBuilder url = new StringBuilder(params.get("realm"));
        String sep = url.indexOf("?") < 0 ? "?" : "&";
        if (params.containsKey("service")) {
            url.append(sep).append("service=").append(enc(params.get("service")));
            sep = "&";
        }
        url.append(sep).append("scope=").append(enc(params.getOrDefault("scope", "repository:" + ref.repository() + ":pull")));
        HttpRequest.Builder tokenRequest = HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(30)).GET();
        credential.flatMap(RegistryCredentials.Credential::basic).ifPresent(b -> tokenRequest.header("Authorization", b));
        HttpResponse<byte[]> t;
        try {
            t = http.send(tokenRequest.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.net.ConnectException e) {
            throw new IOException("cannot reach the token service " + params.get("realm") + " of registry " + ref.registry(), e);
        }
        if (t.statusCode() != 200) {
            throw new IOException("the token service " + params.get("realm") + " of registry " + ref.registry() + " answered "
                    + t.statusCode() + " for " + ref + (credential.isEmpty() ? " (the node has no credentials for "
                    + ref.registry() + ")" : ""));
        }
        JsonNode body = json.readTree(t.body());
        String token = body.path("token").asText(body.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new IOException("the token service " + params.get("realm") + " of registry " + ref.registry()
                    + " answered without a token");
        }
        return "Bearer " + token;
    }

    private static HttpRequest request(ImageReference ref, String path, String accept, String authorization) {
        String host = ref.registry();
        boolean loopback = host.startsWith("127.") || host.startsWith("localhost") || host.startsWith("[::1]");
        URI uri = URI.create((loopback ? "http://" : "https://") + host + "/v2/" + ref.repository() + "/" + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).header("Accept", accept).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b.build();
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
