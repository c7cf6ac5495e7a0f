package io.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.capstan.model.CapstanJson;
import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.wire.NodeAssignment;
import io.capstan.model.wire.NodeReport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP binding: paths, bodies, status handling, and moving on from a server that cannot be reached. */
class HttpControlPlaneTest {

    @TempDir
    Path tmp;
    HttpServer server;
    final Map<String, String> seen = new ConcurrentHashMap<>();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/nodes", this::nodes);
        server.createContext("/v1/packages/", ex -> {
            seen.put("package", ex.getRequestURI().getPath());
            respond(ex, 200, "application/gzip", new byte[] {1, 2, 3});
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private void nodes(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        seen.put(ex.getRequestMethod() + " " + path, body);
        if (path.equals("/v1/nodes")) {
            respond(ex, 200, "application/json", "{}".getBytes());
        } else if (path.endsWith("/heartbeat")) {
            if (path.contains("ghost")) {
                respond(ex, 404, "application/json", "{\"error\":{\"code\":\"NotFound\",\"message\":\"no node ghost\"}}".getBytes());
            } else {
                respond(ex, 200, "application/json", "{\"nextHeartbeatMillis\":5000,\"downAfterMillis\":15000}".getBytes());
            }
        } else if (path.endsWith("/assignment")) {
            seen.put("query", ex.getRequestURI().getQuery());
            respond(ex, 200, "application/json", "{\"node\":\"n1\",\"index\":42,\"activations\":[]}".getBytes());
        } else if (path.endsWith("/report")) {
            respond(ex, 400, "application/json", "{\"error\":{\"code\":\"BadReport\",\"message\":\"nope\"}}".getBytes());
        } else {
            respond(ex, 404, "text/plain", "?".getBytes());
        }
    }

    private static void respond(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    private static URI unreachable() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }

    @Test
    void speaksTheProtocolAndSkipsAServerItCannotReach() throws Exception {
        URI live = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        try (HttpControlPlane cp = new HttpControlPlane(List.of(unreachable(), live))) {
            cp.register(new NodeDescription("n1", "127.0.0.1", "fd:/a", "UD0", Map.of("cpu", 2.0), Map.of()));
            assertThat(CapstanJson.newMapper().readValue(seen.get("POST /v1/nodes"), NodeDescription.class).name()).isEqualTo("n1");
            assertThat(cp.heartbeat("n1").map(a -> Duration.ofMillis(a.nextHeartbeatMillis()))).as("the interval the server asks for")
                    .contains(Duration.ofSeconds(5));
            assertThat(cp.heartbeat("ghost")).isEmpty();

            NodeAssignment a = cp.assignment("n1", 7, Duration.ofSeconds(30));
            assertThat(a.index()).isEqualTo(42);
            assertThat(seen.get("query")).isEqualTo("index=7&wait=30s");

            assertThatThrownBy(() -> cp.report(new NodeReport("n1", 42, List.of())))
                    .isInstanceOf(ControlPlaneException.class)
                    .hasMessageContaining("BadReport: nope")
                    .satisfies(e -> assertThat(((ControlPlaneException) e).status()).isEqualTo(400));

            Path target = tmp.resolve("pkg.tar.gz");
            cp.downloadPackage("abc123", target);
            assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);
            assertThat(seen.get("package")).isEqualTo("/v1/packages/abc123");
        }
    }

    @Test
    void failsWhenNoServerCanBeReached() throws Exception {
        try (HttpControlPlane cp = new HttpControlPlane(List.of(unreachable(), unreachable()))) {
            assertThatThrownBy(() -> cp.heartbeat("n1")).isInstanceOf(IOException.class);
        }
    }

    /** A second server that answers every heartbeat and registration with {@code status}, naming {@code leader} on a 307. */
    private HttpServer follower(int status, URI leader, java.util.concurrent.atomic.AtomicInteger asked) throws IOException {
        HttpServer f = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        f.createContext("/v1/nodes", ex -> {
            asked.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            if (leader != null) {
                ex.getResponseHeaders().add("X-Capstan-Leader", leader.toString());
                ex.getResponseHeaders().add("Location", leader + ex.getRequestURI().getPath());
            }
            respond(ex, status, "application/json", "{\"error\":{\"code\":\"NOT_LEADER\",\"message\":\"ask the leader\"}}".getBytes());
        });
        f.start();
        return f;
    }

    @Test
    void followsAFollowersRedirectToTheLeaderAndStaysThereUntilItIsGone() throws Exception {
        URI leader = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        var askedFollower = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer f = follower(307, leader, askedFollower);
        try (HttpControlPlane cp = new HttpControlPlane(List.of(URI.create("http://127.0.0.1:" + f.getAddress().getPort())))) {
            cp.register(new NodeDescription("n1", "127.0.0.1", "fd:/a", "UD0", Map.of("cpu", 2.0), Map.of()));
            assertThat(seen).as("the registration reached the leader, body and all").containsKey("POST /v1/nodes");
            assertThat(cp.heartbeat("n1")).isPresent();
            assertThat(cp.heartbeat("n1")).isPresent();
            assertThat(askedFollower).as("only the first request went to the follower").hasValue(1);

            server.stop(0); // the leader goes: the agent asks its configured server again, which still names it
            assertThatThrownBy(() -> cp.heartbeat("n1")).isInstanceOf(IOException.class);
            assertThat(askedFollower).hasValue(2);
        } finally {
            f.stop(0);
        }
    }

    @Test
    void passesOverAServerThatKnowsNoLeader() throws Exception {
        URI live = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        var asked = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer f = follower(503, null, asked);
        try (HttpControlPlane cp = new HttpControlPlane(List.of(URI.create("http://127.0.0.1:" + f.getAddress().getPort()), live))) {
            assertThat(cp.heartbeat("n1")).isPresent();
            assertThat(asked).hasValue(1);
        } finally {
            f.stop(0);
        }
    }
}
