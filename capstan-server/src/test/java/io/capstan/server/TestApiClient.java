package io.capstan.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import io.capstan.model.pkg.ApplicationPackage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.function.Supplier;

/** A plain HTTP client for a server under test: every call returns the status and the parsed JSON body. */
final class TestApiClient {

    /** An answer: HTTP status, JSON body and the state index the server answered at (null if it did not say). */
    record Reply(int status, JsonNode body, String index) {
        String message() {
            return body.path("error").path("message").asText();
        }

        String code() {
            return body.path("error").path("code").asText();
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = CapstanJson.newMapper();
    private final Supplier<String> base;
    /** Sent in X-Capstan-Token when not null. */
    private final String token;

    /** {@code base} is read at each call, so a client can be made before its server has started. */
    TestApiClient(Supplier<String> base) {
        this(base, null);
    }

    private TestApiClient(Supplier<String> base, String token) {
        this.base = base;
        this.token = token;
    }

    /** The same server, sending {@code secret} as its ACL token. */
    TestApiClient withToken(String secret) {
        return new TestApiClient(base, secret);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.get() + path));
        return token == null ? b : b.header("X-Capstan-Token", token);
    }

    Reply get(String path) {
        return send(request(path).GET().build());
    }

    Reply delete(String path) {
        return send(request(path).DELETE().build());
    }

    Reply post(String path, Object body) {
        try {
            return send(request(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Reply patch(String path, Object body) {
        try {
            return send(request(path).header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code POST /v1/apptypes} with the folder packed as the .tar.gz the CLI uploads. */
    Reply registerPackage(Path folder) throws IOException {
        return send(request("/v1/apptypes").header("Content-Type", "application/gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(ApplicationPackage.load(folder).toTarGz())).build());
    }

    Reply send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), json.readTree(r.body()), r.headers().firstValue("X-Capstan-Index").orElse(null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String base() {
        return base.get();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
