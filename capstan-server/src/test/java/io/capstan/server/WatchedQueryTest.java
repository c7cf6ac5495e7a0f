package io.capstan.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.server.TestApiClient.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A blocking query on one service (or its health) wakes when that service changes, not on other commits. */
class WatchedQueryTest {

    @Test
    void aServiceQueryWakesOnlyForItsService(@TempDir Path dir) throws Exception {
        try (CapstanServer server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + TestApiClient.freePort(), 0,
                dir.resolve("server")).withNodeDownAfter(Duration.ofHours(1))).start()) {
            TestApiClient api = new TestApiClient(server::apiUrl);
            await().atMost(Duration.ofSeconds(20)).until(() -> server.store().isLeader());
            assertThat(api.registerPackage(TestPackages.webPackage(dir, TestPackages.statelessManifest("WatchType", 0.1)))
                    .status()).isEqualTo(201);
            assertThat(api.post("/v1/nodes", node("n1")).status()).isEqualTo(200);
            assertThat(api.post("/v1/apps", Map.of("name", "W", "type", "WatchType", "version", "1.0.0")).status()).isEqualTo(201);
            assertThat(api.post("/v1/apps/W/services", Map.of("name", "Web", "serviceType", "WebType", "instanceCount", 1))
                    .status()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/apps/W/services/Web/replicas").body()
                    .path("items").size() == 1);
            long index = Long.parseLong(api.get("/v1/apps/W/services/Web").index());

            CompletableFuture<Reply> service = CompletableFuture.supplyAsync(() -> api.get("/v1/apps/W/services/Web?index=" + index + "&wait=20s"));
            CompletableFuture<Reply> health = CompletableFuture.supplyAsync(() -> api.get("/v1/health?entity=service:W/Web&index=" + index + "&wait=20s"));
            assertThat(api.post("/v1/nodes", node("n2")).status()).isEqualTo(200);
            assertThat(api.post("/v1/health/reports", Map.of("reports", java.util.List.of(Map.of("entity", "node:n2",
                    "sourceId", "Watchdog", "property", "p", "healthState", "Warning")))).status()).isBetween(200, 299);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !service.isDone() && !health.isDone());

            Reply patched = api.send(HttpRequest.newBuilder(URI.create(api.base() + "/v1/apps/W/services/Web"))
                    .header("Content-Type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString("{\"instanceCount\":2}")).build());
            assertThat(patched.status()).isEqualTo(200);
            assertThat(service.get().body().path("instanceCount").asInt()).isEqualTo(2);
            assertThat(Long.parseLong(health.get().index())).isGreaterThan(index);
        }
    }

    private static Map<String, Object> node(String name) {
        return Map.of("name", name, "address", "127.0.0.1", "faultDomain", "fd:/" + name, "upgradeDomain", "UD0",
                "capacities", Map.of("cpu", 4.0, "memoryMiB", 4096.0));
    }
}
