package io.capstan.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import io.capstan.model.Durations;
import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.wire.ApiError;
import io.capstan.model.wire.HeartbeatAnswer;
import io.capstan.model.wire.NodeAssignment;
import io.capstan.model.wire.NodeCommandResult;
import io.capstan.model.wire.NodeReport;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * {@link ControlPlane} over the servers' REST API (JSON, java.net.http). Tries each server URL in turn when one
 * cannot be reached or has no leader, and keeps using the last one that answered. A follower answers the agent
 * protocol with a redirect naming the leader ({@code 307}, {@code X-Capstan-Leader}): the agent then talks to the
 * leader first, until it cannot be reached.
 */
public final class HttpControlPlane implements ControlPlane {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Well under the leader's down-after (3 s by default), so a hung server leaves time to beat through another. */
    private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(2);
    private static final String LEADER_HEADER = "X-Capstan-Leader";
    private static final String TOKEN_HEADER = "X-Capstan-Token";
    /** A blocking query may legitimately take its whole wait; give the server this much on top. */
    private static final Duration WAIT_SLACK = Duration.ofSeconds(10);

    private final List<URI> servers;
    private final HttpClient http;
    private final ObjectMapper json = CapstanJson.newMapper();
    private final String token;
    private volatile int preferred;
    /** The leader a follower sent this agent to, tried before the configured servers; null when none is known. */
    private volatile URI leader;

    public HttpControlPlane(List<URI> servers) {
        this(servers, null);
    }

    /**
     * @param token the agent token's secret, sent in {@code X-Capstan-Token} on every call (a cluster with ACLs
     *              needs one of role agent); null sends none
     */
    public HttpControlPlane(List<URI> servers, String token) {
        this.token = token == null || token.isBlank() ? null : token.strip();
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one server URL is needed");
        }
        this.servers = List.copyOf(servers);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    @Override
    public void register(NodeDescription node) throws IOException, InterruptedException {
        expectOk(send(base -> post(base, "/v1/nodes", node), HttpResponse.BodyHandlers.ofString()));
    }

    @Override
    public java.util.Optional<HeartbeatAnswer> heartbeat(String node) throws IOException, InterruptedException {
        HttpResponse<String> r = send(base -> HttpRequest.newBuilder(base.resolve("/v1/nodes/" + enc(node) + "/heartbeat"))
                .timeout(HEARTBEAT_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            return java.util.Optional.empty();
        }
        expectOk(r);
        if (r.body().isBlank()) {
            return java.util.Optional.of(new HeartbeatAnswer(0, 0, List.of()));
        }
        // Read leniently: a newer server may say more than this agent knows.
        HeartbeatAnswer answer = json.readerFor(HeartbeatAnswer.class)
                .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(r.body());
        return java.util.Optional.of(answer);
    }

    @Override
    public void commandResult(String node, String commandId, NodeCommandResult result) throws IOException, InterruptedException {
        expectOk(send(base -> post(base, "/v1/nodes/" + enc(node) + "/commands/" + enc(commandId) + "/result", result),
                HttpResponse.BodyHandlers.ofString()));
    }

    @Override
    public NodeAssignment assignment(String node, long index, Duration wait) throws IOException, InterruptedException {
        String path = "/v1/nodes/" + enc(node) + "/assignment?index=" + index + "&wait=" + Durations.format(wait);
        HttpResponse<String> r = send(base -> HttpRequest.newBuilder(base.resolve(path))
                .timeout(wait.plus(WAIT_SLACK))
                .GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        expectOk(r);
        return json.readValue(r.body(), NodeAssignment.class);
    }

    @Override
    public void report(NodeReport report) throws IOException, InterruptedException {
        expectOk(send(base -> post(base, "/v1/nodes/" + enc(report.node()) + "/report", report),
                HttpResponse.BodyHandlers.ofString()));
    }

    @Override
    public void downloadPackage(String digest, Path target) throws IOException, InterruptedException {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        HttpResponse<Path> r = send(base -> HttpRequest.newBuilder(base.resolve("/v1/packages/" + enc(digest)))
                .timeout(Duration.ofMinutes(5))
                .GET()
                .build(), HttpResponse.BodyHandlers.ofFile(partial));
        if (r.statusCode() != 200) {
            String body = Files.exists(partial) ? Files.readString(partial) : "";
            Files.deleteIfExists(partial);
            throw failure(r.statusCode(), body);
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public NamingAnswer resolve(String app, String service, String rawQuery) throws IOException, InterruptedException {
        String path = "/v1/apps/" + enc(app) + "/services/" + enc(service) + "/resolve"
                + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery);
        // A blocking query waits up to its wait (at most 10 minutes on the server) plus slack.
        HttpResponse<String> r = send(base -> HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofMinutes(10).plus(WAIT_SLACK)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return new NamingAnswer(r.statusCode(), r.body());
    }

    @Override
    public void close() {
        http.close();
    }

    private HttpRequest post(URI base, String path, Object body) {
        try {
            return HttpRequest.newBuilder(base.resolve(path))
                    .timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
                    .build();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Sends to the leader a follower named, else to the preferred server; follows a redirect to the leader; on an I/O
     * failure (unreachable, reset, timed out) or a server without a leader ({@code 503}) moves on to the next one.
     * Returns the last answer when no server gave a better one.
     */
    private <T> HttpResponse<T> send(Function<URI, HttpRequest> unsigned, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        Function<URI, HttpRequest> request = token == null ? unsigned
                : unsigned.andThen(r -> HttpRequest.newBuilder(r, (name, value) -> true).header(TOKEN_HEADER, token).build());
        URI known = leader;
        if (known != null) {
            try {
                HttpResponse<T> response = followLeader(http.send(request.apply(known), handler), request, handler);
                if (response.statusCode() != 503) {
                    return response;
                }
            } catch (IOException e) {
                // The leader is gone: the configured servers will name the next one.
            }
            leader = null;
        }
        IOException last = null;
        HttpResponse<T> unavailable = null;
        int start = preferred;
        for (int i = 0; i < servers.size(); i++) {
            int k = (start + i) % servers.size();
            try {
                HttpResponse<T> response = followLeader(http.send(request.apply(servers.get(k)), handler), request, handler);
                if (response.statusCode() == 503) {
                    unavailable = response;
                    continue;
                }
                preferred = k;
                return response;
            } catch (IOException e) {
                last = e;
            }
        }
        if (unavailable != null) {
            return unavailable;
        }
        throw last;
    }

    /** A follower's redirect names the leader: remember it and send the request there (once; it leads, or says who does). */
    private <T> HttpResponse<T> followLeader(HttpResponse<T> response, Function<URI, HttpRequest> request,
            HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        if (response.statusCode() != 307) {
            return response;
        }
        URI named = response.headers().firstValue(LEADER_HEADER).map(URI::create).orElse(null);
        if (named == null) {
            return response;
        }
        leader = named;
        return http.send(request.apply(named), handler);
    }

    private void expectOk(HttpResponse<String> r) throws ControlPlaneException {
        if (r.statusCode() / 100 != 2) {
            throw failure(r.statusCode(), r.body());
        }
    }

    private ControlPlaneException failure(int status, String body) {
        String message = body;
        try {
            ApiError error = json.readValue(body, ApiError.class);
            if (error != null && error.error() != null) {
                message = error.error().code() + ": " + error.error().message();
            }
        } catch (IOException | RuntimeException e) {
            // Not a Capstan error body (a proxy's page, say): keep the raw text.
        }
        return new ControlPlaneException(status, "HTTP " + status + " " + message);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
