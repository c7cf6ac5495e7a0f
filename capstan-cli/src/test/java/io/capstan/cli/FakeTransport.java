package io.capstan.cli;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A scripted server: per "METHOD /path" a queue of answers (the last one repeats); records every request. */
final class FakeTransport implements Transport {

    record Request(String method, String path, Map<String, String> query, byte[] body, String contentType, Duration timeout) {
        String bodyText() {
            return body == null ? null : new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Map<String, Deque<Response>> routes = new HashMap<>();
    final List<Request> requests = new ArrayList<>();
    /** Runs before each answer, e.g. to move a fake clock as a blocking read would. */
    Consumer<Request> onRequest = r -> { };

    FakeTransport on(String method, String path, Response... answers) {
        routes.computeIfAbsent(method + " " + path, k -> new ArrayDeque<>()).addAll(List.of(answers));
        return this;
    }

    static Response ok(long index, String body) {
        return new Response(200, index, body);
    }

    static Response error(int status, String code, String message) {
        return new Response(status, 1, "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}");
    }

    @Override
    public Response exchange(String method, String pathAndQuery, byte[] body, String contentType, Duration timeout) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        Map<String, String> query = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : pathAndQuery.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        Request request = new Request(method, path, query, body, contentType, timeout);
        requests.add(request);
        onRequest.accept(request);
        Deque<Response> answers = routes.get(method + " " + path);
        if (answers == null || answers.isEmpty()) {
            return error(404, "NOT_FOUND", "no route for " + method + " " + path + " in this test");
        }
        return answers.size() == 1 ? answers.peek() : answers.poll();
    }

    @Override
    public String server() {
        return "http://fake:19080";
    }

    List<Request> requests(String method, String path) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
    }
}
