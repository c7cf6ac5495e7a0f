package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The real HTTP client against the JDK's HttpServer on 127.0.0.1. */
class HttpTransportTest {

    record Seen(String method, String uri, String contentType, String accept, String body) {
    }

    private HttpServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String indexHeader = "42";
    private volatile String answer = "{}";

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] in = ex.getRequestBody().readAllBytes();
        seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().toString(),
                ex.getRequestHeaders().getFirst("Content-Type"), ex.getRequestHeaders().getFirst("Accept"),
                new String(in, StandardCharsets.UTF_8)));
        byte[] out = answer.getBytes(StandardCharsets.UTF_8);
        if (indexHeader != null) {
            ex.getResponseHeaders().add("X-Capstan-Index", indexHeader);
        }
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
        ex.getResponseBody().write(out);
        ex.close();
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private Cli.Result run(String... args) {
        CommandLine cl = CapstanCli.commandLine();
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        return new Cli.Result(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void jsonOutputIsTheBodyVerbatim() {
        answer = "{\"leader\" : \"s1\",\n  \"index\":42, \"servers\":[ ]}";
        Cli.Result r = run("cluster", "status", "--server", url(), "-o", "json");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo(answer + "\n");
        assertThat(r.err()).isEmpty();
        assertThat(seen).containsExactly(new Seen("GET", "/v1/cluster/status", null, "application/json", ""));
    }

    @Test
    void statusIndexHeaderAndBodyReachTheCaller() {
        ApiClient api = new ApiClient(new HttpTransport(URI.create(url())));
        answer = "{\"items\":[]}";
        ApiResponse r = api.getBlocking(ApiClient.withQuery("/v1/events", java.util.Map.of("entity", "capstan:/App1")), 7,
                java.time.Duration.ofMillis(1500));
        assertThat(r).isEqualTo(new ApiResponse(200, 42, "{\"items\":[]}"));
        assertThat(seen.get(0).uri()).isEqualTo("/v1/events?entity=capstan%3A%2FApp1&index=7&wait=1500ms");

        indexHeader = null;
        status = 201;
        assertThat(api.get("/v1/apps").index()).isEqualTo(-1);
        assertThat(api.get("/v1/apps").status()).isEqualTo(201);
    }

    @Test
    void bodiesAreSentWithTheirContentType() {
        ApiClient api = new ApiClient(new HttpTransport(URI.create(url())));
        api.patch("/v1/apps/App1/services/S", ApiCommand.object().put("instanceCount", 5));
        api.postBytes("/v1/apptypes", new byte[] {31, -117, 8}, "application/gzip");
        api.delete(ApiClient.path("v1", "apps", "App 1"));
        assertThat(seen).extracting(Seen::method, Seen::uri, Seen::contentType).containsExactly(
                org.assertj.core.groups.Tuple.tuple("PATCH", "/v1/apps/App1/services/S", "application/json"),
                org.assertj.core.groups.Tuple.tuple("POST", "/v1/apptypes", "application/gzip"),
                org.assertj.core.groups.Tuple.tuple("DELETE", "/v1/apps/App%201", null));
        assertThat(seen.get(0).body()).isEqualTo("{\"instanceCount\":5}");
    }

    @Test
    void anErrorStatusPrintsTheServersMessage() {
        status = 409;
        answer = "{\"error\":{\"code\":\"CONFLICT\",\"message\":\"the activation mode of capstan:/App1/S is fixed when it is created\"}}";
        Cli.Result r = run("service", "update", "App1/S", "--activation", "exclusive", "--server", url(), "-o", "json");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("error: the activation mode of capstan:/App1/S is fixed when it is created\n");
        assertThat(seen.get(0).body()).isEqualTo("{\"activation\":\"ExclusiveProcess\"}");
    }

    @Test
    void aRefusedConnectionSaysTheServerIsNotRunning() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Cli.Result r = run("node", "list", "--server", "http://127.0.0.1:" + port);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("error: cannot reach the Capstan server at http://127.0.0.1:" + port
                + ": is it running? (start one with ./capstan dev)\n");
    }
}
