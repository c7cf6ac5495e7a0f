package io.capstan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.LoadBalancing;
import io.capstan.model.ServiceName;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /metrics} scraped after real requests through the gateway: the series a Prometheus server would see. */
class GatewayMetricsTest {

    private static final ServiceName SERVICE = new ServiceName("Shop", "Web");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<Backend> backends = new ArrayList<>();
    private final PublishedEndpoints naming = new PublishedEndpoints(SERVICE);
    private Gateway gateway;
    private int port;

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
    void requestsRetriesBreakersAndConnectionsShowOnMetrics() throws Exception {
        for (int i = 0; i < 3; i++) {
            backends.add(new Backend("b" + i));
        }
        naming.publish(backends.stream().map(Backend::address).toList());
        gateway = new Gateway(GatewayConfig.defaults(List.of(URI.create("http://127.0.0.1:1")), 0)
                .withLoadBalancing(LoadBalancing.ROUND_ROBIN, java.util.Map.of()), naming);
        port = gateway.start();

        // b0 answers 503: each request that lands there is retried on another instance.
        backends.get(0).forcedStatus = 503;
        for (int i = 0; i < 30; i++) {
            assertThat(get("/Shop/Web/x").statusCode()).isEqualTo(200);
        }
        assertThat(get("/Shop/Web/x?Timeout=abc").statusCode()).isEqualTo(400);
        assertThat(get("/Shop/Nope/x").statusCode()).isEqualTo(404);

        HttpResponse<String> scrape = get("/metrics");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        String text = scrape.body();

        assertThat(value(text, "capstan_gateway_requests_total{service=\"Shop/Web\",status=\"2xx\"}")).isEqualTo(30);
        // A bad parameter and an unknown service: neither resolved, so both count under (unknown), not as new series.
        assertThat(value(text, "capstan_gateway_requests_total{service=\"(unknown)\",status=\"4xx\"}")).isEqualTo(2);
        assertThat(text).doesNotContain("Shop/Nope");
        assertThat(value(text, "capstan_gateway_retries_total{service=\"Shop/Web\"}")).isGreaterThanOrEqualTo(5);
        assertThat(value(text, "capstan_gateway_request_duration_seconds_count{service=\"Shop/Web\"}")).isEqualTo(30);
        assertThat(value(text, "capstan_gateway_request_duration_seconds_bucket{service=\"Shop/Web\",le=\"+Inf\"}")).isEqualTo(30);
        assertThat(value(text, "capstan_gateway_connections_open{side=\"client\"}")).isGreaterThanOrEqualTo(1);
        assertThat(value(text, "capstan_gateway_connections_open{side=\"backend\"}")).isGreaterThanOrEqualTo(2);
        // The breaker of every endpoint tried has a state series; b0's 503s count as failures.
        assertThat(value(text, "resilience4j_circuitbreaker_state{name=\"" + backends.get(1).address() + "\",state=\"closed\"}"))
                .isEqualTo(1);
        assertThat(text).contains("resilience4j_circuitbreaker_state{name=\"" + backends.get(0).address() + "\"");

        promtoolAccepts(text);
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as("series %s in%n%s", series, text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** Debian's promtool, when installed, lints the exposition as Prometheus would read it. */
    private static void promtoolAccepts(String text) throws IOException, InterruptedException {
        Path promtool = java.util.stream.Stream.of(System.getenv("PATH").split(":")).map(d -> Path.of(d, "promtool"))
                .filter(Files::isExecutable).findFirst().orElse(null);
        if (promtool == null) {
            System.err.println("promtool not installed (apt-get install prometheus): its check is skipped");
            return;
        }
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("promtool check metrics:%n%s", out).isZero();
    }

    @Test
    void theMetricsOfAServiceAreBuiltOnceAndReused() {
        GatewayMetrics metrics = new GatewayMetrics();
        assertThat(metrics.of(SERVICE)).isSameAs(metrics.of(new ServiceName("Shop", "Web")));
        metrics.of(SERVICE).answered(204, Duration.ofMillis(3).toNanos());
        assertThat(metrics.scrape()).contains("capstan_gateway_requests_total{service=\"Shop/Web\",status=\"2xx\"} 1.0");
    }
}
