package io.capstan.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.server.TestApiClient.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input against a real server: every malformed body is answered 4xx with Capstan's error body naming the
 * field, none is ever answered 500, and afterwards writes still commit, also after a restart on the same data
 * (once, two reports without a code package name stopped the cluster for good).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MalformedInputTest {

    private static final String MANIFEST = TestPackages.statelessManifest("ShopType", 0.1);
    private static final long MAX_REQUEST = 1024 * 1024;

    private Path dir;
    private int raftPort;
    private CapstanServer server;
    private final TestApiClient api = new TestApiClient(() -> server.apiUrl());

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        raftPort = TestApiClient.freePort();
        startServer();
        assertThat(api.registerPackage(TestPackages.webPackage(dir, MANIFEST)).status()).isEqualTo(201);
        for (int i = 1; i <= 2; i++) {
            assertThat(api.post("/v1/nodes", node("node-" + i)).status()).isEqualTo(200);
        }
        assertThat(api.post("/v1/apps", Map.of("name", "Shop", "type", "ShopType", "version", "1.0.0")).status()).isEqualTo(201);
        assertThat(api.post("/v1/apps/Shop/services", Map.of("name", "Web", "serviceType", "WebType", "instanceCount", 2))
                .status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/apps/Shop/services/Web/replicas").body()
                .path("items").size() == 2);
    }

    private void startServer() {
        // The nodes here never heartbeat: a long grace keeps them Up.
        server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + raftPort, 0, dir.resolve("server"))
                .withNodeDownAfter(Duration.ofHours(1)).withMaxRequestBytes(MAX_REQUEST)).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> server.store().isLeader());
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static Map<String, Object> node(String name) {
        return Map.of("name", name, "address", "127.0.0.1", "faultDomain", "fd:/rack1", "upgradeDomain", "UD0",
                "capacities", Map.of("cpu", 4.0, "memoryMiB", 4096.0));
    }

    private static Map<String, Object> codePackage(Object name) {
        Map<String, Object> cp = new HashMap<>();
        cp.put("name", name);
        cp.put("state", "Running");
        cp.put("pid", 123);
        cp.put("restartCount", 0);
        cp.put("ready", true);
        return cp;
    }

    private static Map<String, Object> activation(String node, List<Object> codePackages, Map<String, Object> extra) {
        Map<String, Object> d = new HashMap<>();
        d.put("node", node);
        d.put("application", "Shop");
        d.put("servicePackage", "WebPackage");
        d.put("servicePackageVersion", "1.0.0");
        d.put("activationId", "");
        d.put("state", "Active");
        d.put("codePackages", codePackages);
        d.putAll(extra);
        return d;
    }

    private static Map<String, Object> report(String node, Object deployed) {
        Map<String, Object> r = new HashMap<>();
        r.put("node", node);
        r.put("assignmentIndex", 0);
        r.put("deployed", deployed);
        return r;
    }

    Stream<Arguments> malformedBodies() {
        List<Object> nameless = new ArrayList<>();
        nameless.add(codePackage(null));
        List<Object> holes = new ArrayList<>();
        holes.add(null);
        Map<String, Object> negative = codePackage("Web");
        negative.put("restartCount", -1);
        return Stream.of(
                Arguments.of("a code package without a name", "/v1/nodes/node-1/report",
                        report("node-1", List.of(activation("node-1", nameless, Map.of()))), "codePackages[0].name"),
                Arguments.of("the same, a second time", "/v1/nodes/node-1/report",
                        report("node-1", List.of(activation("node-1", nameless, Map.of()))), "codePackages[0].name"),
                Arguments.of("an activation of another node", "/v1/nodes/node-1/report",
                        report("node-1", List.of(activation("node-2", List.of(codePackage("Web")), Map.of()))), "another node"),
                Arguments.of("an empty entry in the list", "/v1/nodes/node-1/report", report("node-1", holes), "empty (null) entry"),
                Arguments.of("a negative restart count", "/v1/nodes/node-1/report",
                        report("node-1", List.of(activation("node-1", List.of(negative), Map.of()))), "restartCount"),
                Arguments.of("a port out of range", "/v1/nodes/node-1/report", report("node-1", List.of(activation("node-1",
                        List.of(codePackage("Web")), Map.of("endpoints", Map.of("web", 70000))))), "endpoints.web"),
                Arguments.of("no activation state", "/v1/nodes/node-1/report", report("node-1", List.of(activation("node-1",
                        List.of(codePackage("Web")), Map.of("state", "Sleeping")))), "state"),
                Arguments.of("a report for another node's path", "/v1/nodes/node-1/report", report("node-2", List.of()), "node"),
                Arguments.of("a negative capacity", "/v1/nodes", Map.of("name", "n9", "address", "127.0.0.1",
                        "faultDomain", "fd:/r", "upgradeDomain", "UD0", "capacities", Map.of("cpu", -2.0)), "capacities.cpu"),
                Arguments.of("a fault domain without fd:/", "/v1/nodes", Map.of("name", "n9", "address", "127.0.0.1",
                        "faultDomain", "rack1", "upgradeDomain", "UD0"), "faultDomain"),
                Arguments.of("a node without a name", "/v1/nodes", Map.of("address", "127.0.0.1"), "name"),
                Arguments.of("two million partitions", "/v1/apps/Shop/services", Map.of("name", "Huge", "serviceType", "WebType",
                        "instanceCount", 1, "partitions", Map.of("scheme", "UniformInt64Range", "low", 0, "high", 9_999_999,
                                "count", 2_000_000)), "partitions"),
                Arguments.of("five thousand instances per partition", "/v1/apps/Shop/services",
                        Map.of("name", "Wide", "serviceType", "WebType", "instanceCount", 5000), "instanceCount"),
                Arguments.of("a health description of 20,000 characters", "/v1/health/reports", Map.of("reports", List.of(
                        Map.of("entity", "node:node-1", "sourceId", "Watchdog", "property", "disk", "healthState", "Warning",
                                "description", "x".repeat(20_000)))), "description"),
                Arguments.of("a wrong type", "/v1/apps", Map.of("name", 5, "type", List.of(), "version", "1"), "type"),
                Arguments.of("an unknown field", "/v1/apps", Map.of("name", "A", "type", "ShopType", "version", "1.0.0",
                        "colour", "blue"), "colour"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedBodies")
    @Order(1)
    void aMalformedBodyIsAnsweredWithTheFieldAndChangesNothing(String what, String path, Object body, String field) {
        long index = server.store().snapshot().index();
        Reply r = api.post(path, body);
        assertThat(r.status()).as(what + ": " + r.body()).isBetween(400, 499);
        assertThat(r.code()).as(what).isNotBlank();
        assertThat(r.message()).as(what).contains(field);
        assertThat(server.store().snapshot().index()).as(what + ": nothing committed").isEqualTo(index);
    }

    @Test
    @Order(2)
    void bodiesThatAreNotJsonOrTooLargeAndUnknownPathsGetCapstansErrorBody() {
        for (HttpRequest request : List.of(
                post("/v1/nodes", "{not json"),
                post("/v1/nodes", ""),
                post("/v1/nodes/node-1/report", "[1, 2, 3]"),
                post("/v1/apptypes", "x".repeat((int) MAX_REQUEST + 10)),
                HttpRequest.newBuilder(URI.create(api.base() + "/v1/nope")).GET().build(),
                HttpRequest.newBuilder(URI.create(api.base() + "/v1/nodes")).PUT(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpRequest.newBuilder(URI.create(api.base() + "/v1/nodes/node-1/assignment?index=abc")).GET().build())) {
            Reply r = api.send(request);
            assertThat(r.status()).as(request.uri() + ": " + r.body()).isBetween(400, 499);
            JsonNode error = r.body().path("error");
            assertThat(error.path("code").asText()).as(request.uri().toString()).isNotBlank();
            assertThat(error.path("message").asText()).as(request.uri().toString()).isNotBlank();
        }
        Reply tooLarge = api.send(post("/v1/apptypes", "x".repeat((int) MAX_REQUEST + 10)));
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.message()).contains("--max-request-size");
    }

    @Test
    @Order(3)
    void afterAllThatWritesStillCommitAlsoAfterARestartOnTheSameData() {
        assertThat(api.post("/v1/nodes", node("node-3")).status()).isEqualTo(200);
        server.close();
        startServer();
        await().atMost(Duration.ofSeconds(20)).until(() -> server.store().snapshot().nodes().containsKey("node-3"));
        assertThat(api.post("/v1/nodes", node("node-4")).status()).isEqualTo(200);
        assertThat(api.get("/v1/nodes").body().path("items").size()).isEqualTo(4);
    }

    @Test
    @Order(2)
    void aGzipBombIsRefusedByTheArchiveLimitsWithoutBeingHeld() throws Exception {
        // 64 MiB of zeros compress to about 64 KiB: within the 1 MiB request limit, 16 times the content allowed.
        java.io.ByteArrayOutputStream bomb = new java.io.ByteArrayOutputStream();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(new java.util.zip.GZIPOutputStream(bomb))) {
            var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("zeros.bin");
            entry.setSize(64L << 20);
            tar.putArchiveEntry(entry);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                tar.write(zeros);
            }
            tar.closeArchiveEntry();
        }
        assertThat(bomb.size()).isLessThan((int) MAX_REQUEST);
        long index = server.store().snapshot().index();
        Reply r = api.send(HttpRequest.newBuilder(URI.create(api.base() + "/v1/apptypes")).header("Content-Type", "application/gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bomb.toByteArray())).build());
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().path("error").path("problems").toString()).contains("uncompressed content, the limit");
        assertThat(server.store().snapshot().index()).isEqualTo(index);
        assertThat(dir.resolve("server/packages").toFile().list()).noneMatch(f -> f.startsWith(".upload-"));
    }

    private HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(api.base() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
