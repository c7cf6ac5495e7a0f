package io.capstan.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP server on 127.0.0.1 standing in for a replica: {@code /echo} answers its name, the path and headers it
 * saw; {@code /status/N} answers N; {@code /stream/N} writes N MiB and counts what it managed to write.
 */
final class Backend implements AutoCloseable {

    final String name;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicLong streamed = new AtomicLong();
    volatile int forcedStatus;
    volatile boolean realNotFound;
    private final HttpServer server;

    Backend(String name) throws IOException {
        this(name, 0);
    }

    Backend(String name, int port) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        requests.incrementAndGet();
        byte[] upload = x.getRequestBody().readAllBytes();
        String path = x.getRequestURI().toString();
        if (forcedStatus != 0) {
            if (realNotFound) {
                x.getResponseHeaders().set("X-Capstan", "ResourceNotFound");
            }
            reply(x, forcedStatus, name + " says " + forcedStatus);
        } else if (path.startsWith("/stream/")) {
            long mib = Long.parseLong(path.substring("/stream/".length()));
            x.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[64 * 1024];
            try (OutputStream out = x.getResponseBody()) {
                for (long i = 0; i < mib * 16; i++) {
                    out.write(chunk);
                    streamed.addAndGet(chunk.length);
                }
            }
        } else {
            reply(x, 200, name + " " + x.getRequestMethod() + " " + path + " upload=" + upload.length
                    + " xff=" + x.getRequestHeaders().getFirst("X-Forwarded-For")
                    + " xfproto=" + x.getRequestHeaders().getFirst("X-Forwarded-Proto")
                    + " xfhost=" + x.getRequestHeaders().getFirst("X-Forwarded-Host"));
        }
    }

    private static void reply(HttpExchange x, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
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
