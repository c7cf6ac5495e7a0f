package io.capstan.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import io.capstan.model.pkg.ApplicationPackage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** The REST API of a cluster a benchmark started: JSON requests that fail loudly, and blocking reads. */
final class BenchApi {

    private final String url;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = CapstanJson.newMapper();

    BenchApi(String url) {
        this.url = url;
    }

    String url() {
        return url;
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(url + path));
    }

    /** Sends the request; anything but a 2xx answer is an error, since a benchmark must not measure a failure. */
    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(r.statusCode() + ": " + r.body());
        }
        return r;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    JsonNode getJson(String path) throws IOException, InterruptedException {
        return body(get(path));
    }

    HttpResponse<String> post(String path, Object body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
    }

    HttpResponse<String> delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE());
    }

    /** Registers the application package in {@code dir} (a folder holding capstan-app.yaml). */
    void registerPackage(Path dir) throws IOException, InterruptedException {
        send(request("/v1/apptypes").header("Content-Type", "application/gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(ApplicationPackage.load(dir).toTarGz())));
    }

    JsonNode body(HttpResponse<String> response) throws IOException {
        return json.readTree(response.body());
    }

    /** The state index a response was answered at, for the next blocking read. */
    static long index(HttpResponse<?> response, long fallback) {
        return response.headers().firstValueAsLong("X-Capstan-Index").orElse(fallback);
    }

    /**
     * Waits (blocking reads on the cluster status) until {@code nodes} nodes are Up. A server that is still
     * starting (connection refused, no leader yet) is retried until the timeout.
     */
    void awaitNodesUp(int nodes, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long index = 0;
        while (true) {
            try {
                HttpResponse<String> r = get("/v1/cluster/status?index=" + index + "&wait=5s");
                index = index(r, index);
                if (body(r).path("nodes").path("up").asInt() == nodes) {
                    return;
                }
            } catch (IOException | IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                // Why a fixed delay: the server is not up yet; nothing to block on until it is.
                Thread.sleep(100);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("fewer than " + nodes + " nodes Up after " + timeout);
            }
        }
    }

    /** A TCP port free right now, for a server or an agent the benchmark is about to start. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
