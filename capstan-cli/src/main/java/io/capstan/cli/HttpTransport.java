package io.capstan.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** {@link Transport} over {@code java.net.http} (HTTP/1.1). */
public final class HttpTransport implements Transport {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final URI base;
    private final HttpClient http;
    /** The ACL token's secret, or null. */
    private final String token;

    public HttpTransport(URI base) {
        this(base, null);
    }

    public HttpTransport(URI base, String token) {
        this.base = base;
        this.token = token;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    @Override
    public Transport withToken(String secret) {
        return new HttpTransport(base, secret);
    }

    @Override
    public String server() {
        return base.toString();
    }

    @Override
    public Response exchange(String method, String pathAndQuery, byte[] body, String contentType, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(timeout)
                .header("Accept", "application/json");
        if (token != null) {
            // The header Capstan documents (as Nomad has X-Nomad-Token); never printed, never logged.
            request.header("X-Capstan-Token", token);
        }
        if (body != null) {
            request.header("Content-Type", contentType == null ? "application/json" : contentType);
            request.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> response = http.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            long index = response.headers().firstValue(ApiClient.INDEX_HEADER)
                    .map(HttpTransport::parseIndex).orElse(-1L);
            return new Response(response.statusCode(), index, response.body());
        } catch (HttpConnectTimeoutException e) {
            throw unreachable("connecting timed out after " + CONNECT_TIMEOUT.toSeconds() + "s", e);
        } catch (HttpTimeoutException e) {
            throw new CliException("the Capstan server at " + server() + " did not answer " + method + " "
                    + pathAndQuery + " within " + io.capstan.model.Durations.format(timeout), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", e);
        } catch (IOException e) {
            if (isConnectFailure(e)) {
                throw unreachable(null, e);
            }
            throw new CliException("talking to the Capstan server at " + server() + " failed: " + describe(e), e);
        }
    }

    private CliException unreachable(String why, Throwable cause) {
        return new CliException("cannot reach the Capstan server at " + server()
                + (why == null ? "" : " (" + why + ")")
                + ": is it running? (start one with ./capstan dev)", cause);
    }

    private static boolean isConnectFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnresolvedAddressException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private static long parseIndex(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
