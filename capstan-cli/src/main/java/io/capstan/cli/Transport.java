package io.capstan.cli;

import java.time.Duration;

/**
 * Sends one HTTP exchange to the Capstan server. The real one is {@link HttpTransport}; tests swap in a fake.
 * Implementations turn I/O failures into {@link CliException}s with a message for people.
 */
public interface Transport {

    /**
     * @param method      GET, POST, PATCH or DELETE
     * @param pathAndQuery {@code /v1/apps?index=3&wait=30s}, already encoded
     * @param body        the request body, or null
     * @param contentType the body's content type, or null
     * @param timeout     how long to wait for the whole answer
     */
    Response exchange(String method, String pathAndQuery, byte[] body, String contentType, Duration timeout);

    /** The same transport sending {@code token} as {@code X-Capstan-Token} on every exchange (a fake may ignore it). */
    default Transport withToken(String token) {
        return this;
    }

    /** The server's base URL, for messages. */
    String server();

    /** A raw answer: status, the {@code X-Capstan-Index} header (-1 when absent) and the body as text. */
    record Response(int status, long index, String body) {
    }
}
