package io.capstan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.model.LoadBalancing;
import io.capstan.model.ServiceName;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gateway in front of real HTTP servers on 127.0.0.1: routing, load balancing, retries, breakers, streaming. */
class GatewayProxyTest {

    private static final ServiceName SERVICE = new ServiceName("Shop", "Web");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<Backend> backends = new ArrayList<>();
    private final PublishedEndpoints naming = new PublishedEndpoints(SERVICE);
    private Gateway gateway;
    private int port;

    private void start(GatewayConfig config, int backendCount) throws Exception {
        for (int i = 0; i < backendCount; i++) {
            backends.add(new Backend("b" + i));
        }
        naming.publish(backends.stream().map(Backend::address).toList());
        gateway = new Gateway(config, naming);
        port = gateway.start();
    }

    private static GatewayConfig config() {
        return GatewayConfig.defaults(List.of(URI.create("http://127.0.0.1:1")), 0);
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        backends.forEach(Backend::close);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void stripsTheServicePrefixSetsForwardedHeadersAndSpreadsRoundRobin() throws Exception {
        start(config().withLoadBalancing(LoadBalancing.ROUND_ROBIN, Map.of()), 3);
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = get("/Shop/Web/api/items?color=red&PartitionKey=7");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains(" GET /api/items?color=red ").contains("xff=127.0.0.1")
                    .contains("xfproto=http").contains("xfhost=127.0.0.1:" + port);
        }
        assertThat(backends).allSatisfy(b -> assertThat(b.requests.get()).isEqualTo(10));
        assertThat(gateway.resolutions().watchedServices()).isEqualTo(1);
    }

    @Test
    void theManifestsLoadBalancingAppliesAndTheGatewaysPerServiceOptionOverridesIt() throws Exception {
        naming.loadBalancing = LoadBalancing.ROUND_ROBIN;
        start(config(), 3);
        for (int i = 0; i < 30; i++) {
            assertThat(get("/Shop/Web/x").statusCode()).isEqualTo(200);
        }
        assertThat(backends).allSatisfy(b -> assertThat(b.requests.get()).isEqualTo(10));
        gateway.close();

        // The manifest says least-requests, --service-load-balancing Shop/Web=round-robin wins.
        naming.loadBalancing = LoadBalancing.LEAST_REQUESTS;
        gateway = new Gateway(config().withLoadBalancing(LoadBalancing.LEAST_REQUESTS,
                Map.of("Shop/Web", LoadBalancing.ROUND_ROBIN)), naming);
        port = gateway.start();
        for (int i = 0; i < 30; i++) {
            assertThat(get("/Shop/Web/x").statusCode()).isEqualTo(200);
        }
        assertThat(backends).allSatisfy(b -> assertThat(b.requests.get()).isEqualTo(20));
    }

    @Test
    void aServiceWithNoRequestForTheIdleTimeIsNoLongerWatchedAndItsIdleConnectionsClose() throws Exception {
        start(config().withWatchIdle(Duration.ofMillis(400)), 2);
        // Requests every 100 ms for three idle times: it stays watched.
        await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(5)).until(() ->
                get("/Shop/Web/x").statusCode() == 200 && gateway.resolutions().watchedServices() == 1);
        assertThat(backendConnections()).isPositive();
        // No more requests: within the idle time and a sweep, the watcher stops and the pooled connections close.
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.resolutions().watchedServices() == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> backendConnections() == 0);
        // The next request resolves afresh.
        int freshBefore = naming.freshReads.get();
        assertThat(get("/Shop/Web/x").statusCode()).isEqualTo(200);
        assertThat(gateway.resolutions().watchedServices()).isEqualTo(1);
        assertThat(naming.freshReads.get()).isGreaterThan(freshBefore);
    }

    private double backendConnections() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "(?m)^capstan_gateway_connections_open\\{side=\"backend\"} (\\S+)$").matcher(gateway.metrics().scrape());
        assertThat(m.find()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void leastRequestsIsTheDefaultAndReachesEveryInstance() throws Exception {
        start(config(), 3);
        for (int i = 0; i < 60; i++) {
            assertThat(get("/Shop/Web/").statusCode()).isEqualTo(200);
        }
        assertThat(backends).allSatisfy(b -> assertThat(b.requests.get()).isPositive());
    }

    @Test
    void aKilledBackendCostsNoFailedRequestAndADeadEndpointOpensItsBreaker() throws Exception {
        start(config().withBreaker(new GatewayConfig.BreakerSettings(10, 3, 50, Duration.ofMillis(500))), 3);
        Backend dead = backends.get(1);
        int deadPort = dead.port();
        dead.close();
        for (int i = 0; i < 60; i++) {
            HttpResponse<String> r = get("/Shop/Web/x");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).doesNotContain("b1 ");
        }
        assertThat(gateway.breakerState(dead.address())).isEqualTo("OPEN");
        // It comes back on the same port: after the open period a probe gets through and closes the breaker.
        backends.set(1, new Backend("b1", deadPort));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(get("/Shop/Web/x").statusCode()).isEqualTo(200);
            assertThat(gateway.breakerState(backends.get(1).address())).isEqualTo("CLOSED");
        });
    }

    @Test
    void a503IsRetriedElsewhereButAPostThatReachedABackendIsNot() throws Exception {
        start(config(), 2);
        backends.get(0).forcedStatus = 503;
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = get("/Shop/Web/a");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).startsWith("b1 ");
        }
        backends.get(1).forcedStatus = 503;
        int before = backends.get(0).requests.get() + backends.get(1).requests.get();
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/Shop/Web/order"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(503);
        assertThat(backends.get(0).requests.get() + backends.get(1).requests.get()).as("POSTs sent").isEqualTo(before + 1);
    }

    @Test
    void a404MeansTheReplicaMovedUnlessTheServiceSaysResourceNotFound() throws Exception {
        start(config(), 2);
        backends.get(0).forcedStatus = 404;
        int freshBefore = naming.freshReads.get();
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = get("/Shop/Web/thing");
            assertThat(r.statusCode()).isEqualTo(200);
        }
        assertThat(naming.freshReads.get()).as("re-resolutions after a 404").isGreaterThan(freshBefore);

        backends.get(0).realNotFound = true;
        backends.get(1).forcedStatus = 404;
        backends.get(1).realNotFound = true;
        int before = backends.get(0).requests.get() + backends.get(1).requests.get();
        HttpResponse<String> r = get("/Shop/Web/missing");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("X-Capstan")).hasValue("ResourceNotFound");
        assertThat(backends.get(0).requests.get() + backends.get(1).requests.get()).isEqualTo(before + 1);
    }

    @Test
    void gatewayFailuresAreJsonNamingWhatFailed() throws Exception {
        start(config(), 1);
        HttpResponse<String> unknown = get("/Shop/Nope/x");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("\"code\":\"SERVICE_NOT_FOUND\"").contains("Shop/Nope");
        assertThat(get("/onlyone").statusCode()).isEqualTo(400);
        assertThat(get("/Shop/Web/x?Timeout=abc").body()).contains("Timeout");

        backends.getFirst().close();
        HttpResponse<String> down = get("/Shop/Web/x");
        assertThat(down.statusCode()).isIn(502, 503);
        assertThat(down.body()).contains("\"service\":\"Shop/Web\"").contains("\"attempts\":")
                .contains("\"endpoint\":\"" + backends.getFirst().address() + "\"");
    }

    @Test
    void aWebSocketUpgradePassesThroughAndEchoes() throws Exception {
        start(config(), 0);
        try (WebSocketEchoBackend ws = new WebSocketEchoBackend()) {
            naming.publish(List.of(ws.address()));
            java.util.concurrent.BlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();
            java.net.http.WebSocket socket = http.newWebSocketBuilder().buildAsync(
                    URI.create("ws://127.0.0.1:" + port + "/Shop/Web/ws"), new java.net.http.WebSocket.Listener() {
                        @Override
                        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data,
                                boolean last) {
                            received.add(data.toString());
                            w.request(1);
                            return null;
                        }
                    }).get(5, java.util.concurrent.TimeUnit.SECONDS);
            socket.sendText("hello", true).get(5, java.util.concurrent.TimeUnit.SECONDS);
            socket.sendText("again", true).get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(received.poll(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("echo: hello");
            assertThat(received.poll(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("echo: again");
            socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").get(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void anHttp2StreamIsProxiedOverH2cWithEachMessageEchoedBeforeTheRequestEnds() throws Exception {
        start(config(), 0);
        try (Http2Peers peers = new Http2Peers()) {
            naming.publish(List.of(peers.startEchoServer()));
            var received = Http2Peers.queue();
            var stream = peers.openStream(port, received);
            stream.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2HeadersFrame(
                    new io.netty.handler.codec.http2.DefaultHttp2Headers().method("POST").scheme("http")
                            .authority("127.0.0.1:" + port).path("/Shop/Web/grpc.Echo/Chat")
                            .set("content-type", "application/grpc").set("te", "trailers"))).sync();
            assertThat(received.poll(5, java.util.concurrent.TimeUnit.SECONDS)).contains(":status: 200")
                    .contains("x-path: /grpc.Echo/Chat");
            for (String message : List.of("one", "two", "three")) {
                stream.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2DataFrame(
                        io.netty.buffer.Unpooled.copiedBuffer(message, StandardCharsets.UTF_8))).sync();
                // The echo comes back while the request stream is still open: streamed both ways, not buffered.
                assertThat(received.poll(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("echo: " + message);
            }
            stream.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2DataFrame(true)).sync();
            assertThat(received.poll(5, java.util.concurrent.TimeUnit.SECONDS)).startsWith("trailers").contains("grpc-status: 0");
        }
    }

    @Test
    void aResponseIsStreamedAtTheSpeedOfItsReaderNotBufferedWhole() throws Exception {
        start(config(), 1);
        Backend b = backends.getFirst();
        long total = 256L * 1024 * 1024;
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setReceiveBufferSize(64 * 1024);
            OutputStream out = client.getOutputStream();
            out.write("GET /Shop/Web/stream/256 HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = client.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long read = 0;
            while (read < 1024 * 1024) {
                read += in.read(buf);
            }
            // The client stops reading: the backend is held back by the gateway's backpressure, far short of the body.
            await().pollDelay(Duration.ofMillis(200)).during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> b.streamed.get() < 32L * 1024 * 1024);
            long held = b.streamed.get();
            assertThat(held).isLessThan(total / 8);
            int n;
            while (read <= total && (n = in.read(buf)) > 0) {
                read += n;
            }
            assertThat(b.streamed.get()).isEqualTo(total);
        }
    }
}
