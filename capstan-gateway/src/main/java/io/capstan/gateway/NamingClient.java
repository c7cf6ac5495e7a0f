package io.capstan.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import io.capstan.model.ServiceName;
import io.capstan.model.wire.ServiceResolution;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The naming service over HTTP: {@code GET /v1/apps/{app}/services/{svc}/resolve?secondaries=true&index=N&wait=D} on
 * one of the servers, moving on to the next when one does not answer.
 */
public final class NamingClient implements ResolutionSource {

    private final List<URI> servers;
    private final AtomicInteger current = new AtomicInteger();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = CapstanJson.newMapper();

    /** The ACL token's secret (role read), sent as X-Capstan-Token to a cluster run with --acl; null for none. */
    private final String token;

    public NamingClient(List<URI> servers) {
        this(servers, null);
    }

    public NamingClient(List<URI> servers, String token) {
        this.servers = List.copyOf(servers);
        this.token = token;
    }

    @Override
    public ServiceResolution resolve(ServiceName service, long afterVersion, Duration wait)
            throws IOException, InterruptedException {
        IOException last = null;
        for (int tried = 0; tried < servers.size(); tried++) {
            int i = Math.floorMod(current.get(), servers.size());
            URI base = servers.get(i);
            String path = "/v1/apps/" + encode(service.application()) + "/services/" + encode(service.service())
                    // Stale: routing goes on from a server's own state while the control plane has no leader (an
                    // election, a minority partition), as Consul's DNS answers by default; changes still arrive by index.
                    + "/resolve?secondaries=true&stale=true" + (afterVersion > 0 ? "&index=" + afterVersion + "&wait=" + wait.toMillis() + "ms" : "");
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(wait.plusSeconds(10)).GET();
                if (token != null) {
                    request.header("X-Capstan-Token", token);
                }
                HttpResponse<byte[]> r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() == 200) {
                    return json.readValue(r.body(), ServiceResolution.class);
                }
                if (r.statusCode() == 404) {
                    throw new ServiceNotFound(message(r.body(), service + " does not exist"));
                }
                last = new IOException("naming service at " + base + " answered " + r.statusCode() + ": " + message(r.body(), ""));
            } catch (ServiceNotFound e) {
                throw e;
            } catch (IOException e) {
                last = e;
            }
            current.compareAndSet(i, i + 1);
        }
        throw last;
    }

    private String message(byte[] body, String fallback) {
        try {
            JsonNode m = json.readTree(body).path("error").path("message");
            return m.isTextual() ? m.asText() : fallback;
        } catch (IOException e) {
            return fallback;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
