package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway of a dev cluster in front of real service processes: requests reach Ready replicas with the prefix
 * stripped, spread over every instance, find the partition of their key, and ride through a {@code kill -9} of an
 * instance with no failed request.
 */
class GatewayTest {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = CapstanJson.newMapper();

    @Test
    void requestsReachReadyReplicasByPartitionAndRideThroughAKilledInstance(@TempDir Path dir) throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3, true)) {
            ClusterApi api = cluster.api;
            String gw = cluster.cluster.gatewayUrl();
            assertThat(api.registerPackage(Path.of("src/test/resources/gateway-app").toAbsolutePath()).status()).isEqualTo(201);
            api.post("/v1/apps", Map.of("name", "GwApp", "type", "GatewayTestType", "version", "1.0.0")).ok();
            api.post("/v1/apps/GwApp/services", Map.of("name", "Web", "serviceType", "WebType", "instanceCount", 3)).ok();
            api.post("/v1/apps/GwApp/services", Map.of("name", "Parted", "serviceType", "WebType", "instanceCount", 1,
                    "activation", "ExclusiveProcess",
                    "partitions", Map.of("scheme", "UniformInt64Range", "low", 0, "high", 99, "count", 2))).ok();
            await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/v1/apps/GwApp").ok().path("converged").asBoolean());

            JsonNode resolved = api.get("/v1/apps/GwApp/services/Web/resolve").ok();
            assertThat(resolved.path("partitions")).hasSize(1);
            assertThat(resolved.path("partitions").get(0).path("replicas")).hasSize(3)
                    .allSatisfy(r -> assertThat(r.path("endpoints").path("web").asText()).startsWith("127.0.0.1:"));

            JsonNode first = body(get(gw + "/GwApp/Web/hello/there?x=1&PartitionKey=3"));
            assertThat(first.path("path").asText()).isEqualTo("/hello/there?x=1");
            assertThat(first.path("forwardedFor").asText()).isEqualTo("127.0.0.1");
            Set<Long> pids = new HashSet<>();
            for (int i = 0; i < 60; i++) {
                pids.add(body(get(gw + "/GwApp/Web/")).path("pid").asLong());
            }
            assertThat(pids).as("instances reached").hasSize(3);

            for (String key : List.of("10", "80")) {
                String partition = api.get("/v1/apps/GwApp/services/Parted/resolve?partitionKey=" + key).ok()
                        .path("partitions").get(0).path("id").asText();
                assertThat(body(get(gw + "/GwApp/Parted/?PartitionKey=" + key + "&PartitionKind=Int64Range"))
                        .path("partitions").asText()).isEqualTo(partition);
            }
            HttpResponse<String> badKey = get(gw + "/GwApp/Parted/?PartitionKey=abc");
            assertThat(badKey.statusCode()).isEqualTo(400);
            assertThat(badKey.body()).contains("PartitionKey: 'abc' is not an Int64");
            assertThat(api.get("/v1/apps/GwApp/services/Parted/resolve?partitionKey=200").status()).isEqualTo(400);

            // kill -9 of one instance under a steady request loop: no client request fails.
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            java.util.Queue<String> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            Thread loop = Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = get(gw + "/GwApp/Web/loop");
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                            failures.add(r.statusCode() + " " + r.body());
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        failures.add(e.toString());
                    }
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() > 50);
            long victim = pids.iterator().next();
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            int atKill = ok.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() > atKill + 300);
            running.set(false);
            loop.join();
            assertThat(failed.get()).as("failed requests out of " + (ok.get() + failed.get()) + ": " + failures).isZero();
            io.capstan.gateway.ResolutionCache cache = cluster.cluster.gateway().resolutions();
            assertThat(cache.watchedServices()).isEqualTo(2);

            // Scale-in: a blocking resolve answers with the change, and only the watcher of that service sees one.
            io.capstan.model.ServiceName web = io.capstan.model.ServiceName.parse("GwApp/Web");
            io.capstan.model.ServiceName parted = io.capstan.model.ServiceName.parse("GwApp/Parted");
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/apps/GwApp").ok().path("converged").asBoolean());
            long version = api.get("/v1/apps/GwApp/services/Web/resolve").ok().path("version").asLong();
            long webChanges = cache.changesSeen(web);
            long partedChanges = cache.changesSeen(parted);
            var blocked = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> api.get("/v1/apps/GwApp/services/Web/resolve?index=" + version + "&wait=30s").ok());
            api.patch("/v1/apps/GwApp/services/Web", Map.of("instanceCount", 2)).ok();
            JsonNode changed = blocked.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(changed.path("version").asLong()).isGreaterThan(version);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(api.get("/v1/apps/GwApp/services/Web/resolve").ok().path("partitions").get(0).path("replicas"))
                        .hasSize(2);
                assertThat(cache.changesSeen(web)).isGreaterThan(webChanges);
                assertThat(body(get(gw + "/GwApp/Web/")).path("path").asText()).isEqualTo("/");
            });
            assertThat(cache.changesSeen(parted)).as("changes seen by the watcher of an untouched service")
                    .isEqualTo(partedChanges);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode body(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }
}
