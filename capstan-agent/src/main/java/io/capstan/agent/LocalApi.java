package io.capstan.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.capstan.model.CapstanJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's local API on 127.0.0.1, for the code packages it runs ({@code CAPSTAN_AGENT_API}): {@code GET
 * /v1/apps/{app}/services/{svc}/resolve[?partitionKey=K&secondaries=true&index=N&wait=D]} answers as the servers'
 * naming route does (blocking queries included), asked through the agent's own connection to the servers, so a
 * workload needs neither a server address nor a credential of its own.
 */
final class LocalApi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalApi.class);
    private final ObjectMapper json = CapstanJson.newMapper();
    private static final Pattern RESOLVE = Pattern.compile("^/v1/apps/([^/]+)/services/([^/]+)/resolve$");

    private final ControlPlane controlPlane;
    private final HttpServer server;

    private LocalApi(ControlPlane controlPlane, HttpServer server) {
        this.controlPlane = controlPlane;
        this.server = server;
    }

    /** Listens on 127.0.0.1 at a free port; one virtual thread per request (a blocking query holds its own). */
    static LocalApi start(ControlPlane controlPlane) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        LocalApi api = new LocalApi(controlPlane, server);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", api::handle);
        server.start();
        return api;
    }

    /** Where it listens, e.g. {@code http://127.0.0.1:41234}. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        try {
            Matcher m = RESOLVE.matcher(x.getRequestURI().getRawPath());
            if (!m.matches()) {
                reply(x, 404, error("NOT_FOUND", "the agent's local API serves GET /v1/apps/{app}/services/{svc}/resolve"));
                return;
            }
            if (!"GET".equals(x.getRequestMethod())) {
                reply(x, 405, error("METHOD_NOT_ALLOWED", "use GET for " + x.getRequestURI().getRawPath()));
                return;
            }
            String app = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
            String service = URLDecoder.decode(m.group(2), StandardCharsets.UTF_8);
            ControlPlane.NamingAnswer answer = controlPlane.resolve(app, service, x.getRequestURI().getRawQuery());
            reply(x, answer.status(), answer.body());
        } catch (IOException e) {
            log.debug("local resolve failed: {}", e.toString());
            reply(x, 503, error("NAMING_UNAVAILABLE", "no server answered: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            x.close();
        }
    }

    private String error(String code, String message) {
        try {
            return json.writeValueAsString(Map.of("error", Map.of("code", code, "message", message)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings is always JSON", e);
        }
    }

    private static void reply(HttpExchange x, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
