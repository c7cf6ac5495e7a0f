package io.capstan.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import io.capstan.model.Durations;
import io.capstan.model.ServiceName;
import io.capstan.model.manifest.ManifestProblem;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Capstan REST API (docs/API.md) as the CLI uses it: JSON in, {@link ApiResponse} out, every error
 * answer turned into an {@link ApiException} carrying the code, message and problems.
 */
public final class ApiClient {

    public static final String INDEX_HEADER = "X-Capstan-Index";
    static final ObjectMapper JSON = CapstanJson.newMapper();

    /** How long an ordinary request may take. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** Uploading an application package may take longer. */
    static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(5);
    /** Extra time on top of a blocking query's {@code wait}, for the server's jitter and the network. */
    static final Duration BLOCKING_SLACK = Duration.ofSeconds(15);

    private final Transport transport;

    public ApiClient(Transport transport) {
        this.transport = transport;
    }

    public String server() {
        return transport.server();
    }

    /** {@code /v1/apps/App1} from segments, each percent-encoded. */
    /** The path of a service, or of one of its sub-resources ({@code replicas}, {@code endpoints}). */
    static String servicePath(ServiceName service, String... sub) {
        List<String> segments = new ArrayList<>(List.of("v1", "apps", service.application(), "services", service.service()));
        segments.addAll(List.of(sub));
        return path(segments.toArray(String[]::new));
    }

    public static String path(String... segments) {
        StringBuilder sb = new StringBuilder();
        for (String segment : segments) {
            sb.append('/').append(encode(segment));
        }
        return sb.toString();
    }

    /** {@code path?k=v&...} with the values encoded; null values are left out. */
    public static String withQuery(String path, Map<String, String> query) {
        StringBuilder sb = new StringBuilder(path);
        char sep = path.indexOf('?') >= 0 ? '&' : '?';
        for (Map.Entry<String, String> e : query.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            sb.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
            sep = '&';
        }
        return sb.toString();
    }

    public ApiResponse get(String pathAndQuery) {
        return call("GET", pathAndQuery, null, null, REQUEST_TIMEOUT);
    }

    /** A blocking read: answers once the state index is greater than {@code index}, or after {@code wait}. */
    public ApiResponse getBlocking(String pathAndQuery, long index, Duration wait) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("index", Long.toString(index));
        q.put("wait", Durations.format(wait));
        return call("GET", withQuery(pathAndQuery, q), null, null, wait.plus(BLOCKING_SLACK));
    }

    public ApiResponse post(String path, JsonNode body) {
        return call("POST", path, bytes(body), "application/json", REQUEST_TIMEOUT);
    }

    public ApiResponse postBytes(String path, byte[] body, String contentType) {
        return call("POST", path, body, contentType, UPLOAD_TIMEOUT);
    }

    public ApiResponse patch(String path, JsonNode body) {
        return call("PATCH", path, bytes(body), "application/json", REQUEST_TIMEOUT);
    }

    public ApiResponse delete(String path) {
        return call("DELETE", path, null, null, REQUEST_TIMEOUT);
    }

    private ApiResponse call(String method, String pathAndQuery, byte[] body, String contentType, Duration timeout) {
        Transport.Response r = transport.exchange(method, pathAndQuery, body, contentType, timeout);
        if (r.status() >= 200 && r.status() < 300) {
            return new ApiResponse(r.status(), r.index(), r.body());
        }
        throw toException(r.status(), r.body());
    }

    /** Reads an error body; one that is not in the API's error shape still gives a useful message. */
    static ApiException toException(int status, String body) {
        JsonNode error = null;
        try {
            JsonNode root = body == null || body.isBlank() ? null : JSON.readTree(body);
            if (root != null && root.path("error").isObject()) {
                error = root.get("error");
            }
        } catch (JsonProcessingException e) {
            // not JSON: fall through to the generic message
        }
        if (error == null) {
            String text = ApiResponse.abbreviate(body);
            return new ApiException(status, "HTTP_" + status,
                    "the server answered HTTP " + status + (text.isEmpty() ? "" : ": " + text), List.of());
        }
        String code = error.path("code").asText("HTTP_" + status);
        String message = error.path("message").asText("");
        if (message.isEmpty()) {
            message = code + " (HTTP " + status + ")";
        }
        List<String> problems = new ArrayList<>();
        for (JsonNode p : error.path("problems")) {
            problems.add(problemText(p));
        }
        return new ApiException(status, code, message, problems);
    }

    /** A problem is a string, or a manifest problem object {file, line, column, field, message}. */
    private static String problemText(JsonNode p) {
        if (p.isTextual()) {
            return p.asText();
        }
        if (p.isObject() && p.has("message")) {
            return new ManifestProblem(p.path("file").asText(""), p.path("line").asInt(0), p.path("column").asInt(0),
                    p.path("field").asText(""), p.path("message").asText()).toString();
        }
        return p.toString();
    }

    private static byte[] bytes(JsonNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
