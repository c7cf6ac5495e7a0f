package io.capstan.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.server.TestApiClient.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measured use travels with the agent's reports: shown per node beside what its replicas request and what it offers,
 * kept out of the Raft log (a report that changes only the measurements commits nothing), and refused whole when a
 * figure is out of bounds or names a code package the report does not hold.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeUsageTest {

    private CapstanServer server;
    private final TestApiClient api = new TestApiClient(() -> server.apiUrl());

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + TestApiClient.freePort(), 0, dir.resolve("server"))
                .withNodeDownAfter(Duration.ofHours(1))).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> server.store().isLeader());
        assertThat(api.registerPackage(TestPackages.webPackage(dir, TestPackages.statelessManifest("ShopType", 0.25)))
                .status()).isEqualTo(201);
        assertThat(api.post("/v1/nodes", Map.of("name", "node-1", "address", "127.0.0.1", "faultDomain", "fd:/rack1",
                "upgradeDomain", "UD0", "capacities", Map.of("cpu", 4.0, "memoryMiB", 4096.0))).status()).isEqualTo(200);
        assertThat(api.post("/v1/apps", Map.of("name", "Shop", "type", "ShopType", "version", "1.0.0")).status()).isEqualTo(201);
        assertThat(api.post("/v1/apps/Shop/services", Map.of("name", "Web", "serviceType", "WebType", "instanceCount", 1))
                .status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/apps/Shop/services/Web/replicas").body()
                .path("items").size() == 1);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void usageIsShownBesideRequestsAndCapacityAndNeverCommitted() {
        assertThat(api.post("/v1/nodes/node-1/report", report(usage("Web", 0.05, 12.5))).status()).isEqualTo(200);
        long index = server.store().snapshot().index();
        assertThat(api.post("/v1/nodes/node-1/report", report(usage("Web", 0.07, 20.5))).status()).isEqualTo(200);
        assertThat(server.store().snapshot().index()).as("only the measurements changed: nothing committed").isEqualTo(index);

        JsonNode node = api.get("/v1/nodes/node-1").body();
        assertThat(node.path("resources").path("cpu").path("requested").asDouble()).isEqualTo(0.25);
        assertThat(node.path("resources").path("cpu").path("used").asDouble()).isEqualTo(0.07);
        assertThat(node.path("resources").path("cpu").path("capacity").asDouble()).isEqualTo(4.0);
        assertThat(node.path("resources").path("memoryMiB").path("requested").asDouble()).isEqualTo(16.0);
        assertThat(node.path("resources").path("memoryMiB").path("used").asDouble()).isEqualTo(20.5);
        assertThat(node.path("measuredAt").isTextual()).isTrue();
        assertThat(node.path("usage")).hasSize(1);
        assertThat(node.path("usage").get(0).path("codePackage").asText()).isEqualTo("Web");
        assertThat(api.get("/v1/nodes").body().path("items").get(0).path("resources").path("cpu").path("used").asDouble())
                .isEqualTo(0.07);

        for (Object[] bad : List.of(
                new Object[] {usage("Web", -1, 1), "usage[0].cpu"},
                new Object[] {usage("Web", 0.1, Double.MAX_VALUE), "usage[0].memoryMiB"},
                new Object[] {usage("Elsewhere", 0.1, 1), "is not a code package the report's deployed list holds"})) {
            Reply r = api.post("/v1/nodes/node-1/report", report(bad[0]));
            assertThat(r.status()).as(r.body().toString()).isEqualTo(400);
            assertThat(r.message()).contains((String) bad[1]);
        }
        Reply twice = api.post("/v1/nodes/node-1/report", report(usage("Web", 0.1, 1), usage("Web", 0.2, 1)));
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.message()).contains("usage[1]").contains("measured twice");
        assertThat(api.get("/v1/nodes/node-1").body().path("resources").path("cpu").path("used").asDouble())
                .as("a refused report changes nothing").isEqualTo(0.07);
        assertThat(server.store().snapshot().index()).isEqualTo(index);
    }

    private static Map<String, Object> usage(String codePackage, double cpu, double memoryMiB) {
        return Map.of("application", "Shop", "servicePackage", "WebPackage", "activationId", "", "codePackage", codePackage,
                "cpu", cpu, "memoryMiB", memoryMiB);
    }

    private Map<String, Object> report(Object... usage) {
        Map<String, Object> cp = new HashMap<>();
        cp.put("name", "Web");
        cp.put("state", "Running");
        cp.put("pid", 123);
        cp.put("restartCount", 0);
        cp.put("ready", true);
        Map<String, Object> d = new HashMap<>();
        d.put("node", "node-1");
        d.put("application", "Shop");
        d.put("servicePackage", "WebPackage");
        d.put("servicePackageVersion", "1.0.0");
        d.put("activationId", "");
        d.put("state", "Active");
        d.put("codePackages", List.of(cp));
        long replica = api.get("/v1/apps/Shop/services/Web/replicas").body().path("items").get(0).path("id").asLong();
        d.put("replicaIds", List.of(replica));
        return Map.of("node", "node-1", "assignmentIndex", 0, "deployed", List.of(d), "usage", List.of(usage));
    }
}
