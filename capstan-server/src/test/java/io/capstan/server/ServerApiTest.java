package io.capstan.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import io.capstan.server.TestApiClient.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API of a real server (Ratis state on disk): every refusal names the field and the fix,
 * carries a fitting status, and changes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerApiTest {

    private static final String MANIFEST = """
            applicationType: ShopType
            version: 1.0.0
            parameters: {Greeting: hello}
            servicePackages:
              - name: WebPackage
                version: 1.0.0
                serviceTypes:
                  - {name: WebType, kind: stateless, codePackage: Web, loadBalancing: round-robin}
                  - {name: CartType, kind: stateful, codePackage: Web}
                codePackages:
                  - name: Web
                    version: 1.0.0
                    process: {command: ./run.sh, args: ["[Greeting]"]}
                    resources: {cpu: 0.5, memoryMiB: 256}
                endpoints:
                  - {name: web, protocol: http}
            defaultServices:
              - name: Front
                serviceType: WebType
                instanceCount: 1
            """;

    private Path dir;

    private CapstanServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = CapstanJson.newMapper();

    private final TestApiClient api = new TestApiClient(() -> server.apiUrl());

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        // The nodes here never heartbeat: a long grace keeps them Up for these API checks (NodeLivenessTest covers Down).
        server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + TestApiClient.freePort(), 0, dir.resolve("server"))
                .withNodeDownAfter(Duration.ofHours(1))).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> server.store().isLeader());
        assertThat(api.registerPackage(TestPackages.webPackage(dir, MANIFEST)).status()).isEqualTo(201);
        for (int i = 1; i <= 3; i++) {
            Reply r = post("/v1/nodes", Map.of("name", "node-" + i, "address", "127.0.0.1", "faultDomain", "fd:/rack" + i,
                    "upgradeDomain", "UD" + i, "capacities", Map.of("cpu", 1.0, "memoryMiB", 1024.0),
                    "properties", Map.of("NodeType", i == 1 ? "frontend" : "backend")));
            assertThat(r.status()).isEqualTo(200);
        }
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void registeringTheSameTypeVersionTwiceIsRefused() throws Exception {
        Reply again = api.registerPackage(dir.resolve("pkg"));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().path("error").path("code").asText()).isEqualTo("ALREADY_EXISTS");
        assertThat(again.message()).contains("ShopType version 1.0.0 is already registered").contains("new version");
    }

    @Test
    void aPackageWithABadManifestIsRefusedWithEveryProblem() throws Exception {
        Path bad = dir.resolve("bad");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("capstan-app.yaml"), """
                applicationType: BadType
                version: 1.0.0
                servicePackages:
                  - name: P
                    version: 1.0.0
                    serviceTypes:
                      - {name: T, kind: sometimes, codePackage: Missing}
                """);
        byte[] archive = tarGzOf(bad);
        Reply r = register(archive);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().path("error").path("code").asText()).isEqualTo("INVALID_MANIFEST");
        assertThat(r.body().path("error").path("problems").size()).isGreaterThanOrEqualTo(2);
        assertThat(get("/v1/apptypes").body().path("items")).extracting(n -> n.path("name").asText()).containsExactly("ShopType");
    }

    @Test
    void theResolveAnswerCarriesTheLoadBalancingTheManifestAsks() {
        assertThat(post("/v1/apps", Map.of("name", "Lb", "type", "ShopType", "version", "1.0.0")).status()).isEqualTo(201);
        assertThat(post("/v1/apps/Lb/services", Map.of("name", "Cart", "serviceType", "CartType", "targetReplicaSetSize", 1))
                .status()).isEqualTo(201);
        JsonNode front = get("/v1/apps/Lb/services/Front/resolve").body();
        assertThat(front.path("loadBalancing").asText()).isEqualTo("round-robin");
        // CartType says nothing: the answer leaves it out and the gateway's default (least-requests) applies.
        assertThat(get("/v1/apps/Lb/services/Cart/resolve").body().has("loadBalancing")).isFalse();
    }

    @Test
    void aServiceCreatedOrUpdatedWithALoadBalancingOverridesTheManifest() {
        assertThat(post("/v1/apps", Map.of("name", "Lb2", "type", "ShopType", "version", "1.0.0")).status()).isEqualTo(201);
        assertThat(post("/v1/apps/Lb2/services", Map.of("name", "Cart", "serviceType", "CartType", "targetReplicaSetSize", 1,
                "loadBalancing", "round-robin")).status()).isEqualTo(201);
        assertThat(get("/v1/apps/Lb2/services/Cart/resolve").body().path("loadBalancing").asText()).isEqualTo("round-robin");

        Reply bad = post("/v1/apps/Lb2/services", Map.of("name", "Other", "serviceType", "CartType", "targetReplicaSetSize", 1,
                "loadBalancing", "fastest"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().toString()).contains("loadBalancing", "round-robin or least-requests");
        assertThat(get("/v1/apps/Lb2/services/Other").status()).as("nothing was created").isEqualTo(404);

        assertThat(api.patch("/v1/apps/Lb2/services/Cart", Map.of("loadBalancing", "least-requests")).status()).isEqualTo(200);
        assertThat(get("/v1/apps/Lb2/services/Cart/resolve").body().path("loadBalancing").asText()).isEqualTo("least-requests");
        assertThat(api.delete("/v1/apps/Lb2").status()).as("its replicas free the nodes for the other tests").isEqualTo(200);
    }

    @Test
    void aBadLoadBalancingIsRefusedNamingTheField() throws Exception {
        Path bad = dir.resolve("bad-lb");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("capstan-app.yaml"), MANIFEST.replace("ShopType", "LbType")
                .replace("loadBalancing: round-robin", "loadBalancing: fastest"));
        Reply r = register(tarGzOf(bad));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().path("error").path("code").asText()).isEqualTo("INVALID_MANIFEST");
        assertThat(r.body().path("error").path("problems").get(0).asText())
                .contains("servicePackages[0].serviceTypes[0].loadBalancing: 'fastest' is not a load balancing;"
                        + " use round-robin or least-requests");
        assertThat(get("/v1/apptypes/LbType/1.0.0").status()).isEqualTo(404);
    }

    @Test
    void anApplicationOfAnUnknownTypeOrVersionIsRefused() {
        Reply unknownType = post("/v1/apps", Map.of("name", "A1", "type", "NoSuchType", "version", "1.0.0"));
        assertThat(unknownType.status()).isEqualTo(404);
        assertThat(unknownType.message()).contains("application type NoSuchType").contains("capstan apptype list");
        Reply unknownVersion = post("/v1/apps", Map.of("name", "A1", "type", "ShopType", "version", "9.9.9"));
        assertThat(unknownVersion.status()).isEqualTo(404);
        assertThat(unknownVersion.message()).contains("9.9.9").contains("1.0.0");
        assertThat(get("/v1/apps/A1").status()).isEqualTo(404);
    }

    @Test
    void anUnknownParameterIsRefused() {
        Reply r = post("/v1/apps", Map.of("name", "A2", "type", "ShopType", "version", "1.0.0",
                "parameters", Map.of("Greting", "hi")));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).contains("parameters").contains("Greting").contains("Greeting");
    }

    @Test
    void duplicateApplicationAndServiceNamesAreRefused() {
        assertThat(post("/v1/apps", Map.of("name", "Dup", "type", "ShopType", "version", "1.0.0")).status()).isEqualTo(201);
        Reply app = post("/v1/apps", Map.of("name", "Dup", "type", "ShopType", "version", "1.0.0"));
        assertThat(app.status()).isEqualTo(409);
        assertThat(app.message()).contains("capstan:/Dup already exists");
        Reply svc = post("/v1/apps/Dup/services", Map.of("name", "Front", "serviceType", "WebType", "instanceCount", 1));
        assertThat(svc.status()).isEqualTo(409);
        assertThat(svc.message()).contains("Dup/Front already exists");
    }

    @Test
    void badServiceDefinitionsNameTheFieldAndTheFix() {
        post("/v1/apps", Map.of("name", "Bad", "type", "ShopType", "version", "1.0.0"));
        Reply range = post("/v1/apps/Bad/services", Map.of("name", "S1", "serviceType", "CartType",
                "targetReplicaSetSize", 3, "partitions", Map.of("scheme", "UniformInt64Range", "low", 10, "high", 1, "count", 2)));
        assertThat(range.status()).isEqualTo(400);
        assertThat(range.message()).contains("partitions.low: 10 must not be greater than partitions.high (1)");
        Reply scheme = post("/v1/apps/Bad/services", Map.of("name", "S2", "serviceType", "CartType",
                "targetReplicaSetSize", 3, "partitions", Map.of("scheme", "Hashed")));
        assertThat(scheme.status()).isEqualTo(400);
        assertThat(scheme.message()).contains("partitions").contains("Hashed");
        Reply type = post("/v1/apps/Bad/services", Map.of("name", "S3", "serviceType", "NoType", "instanceCount", 1));
        assertThat(type.status()).isEqualTo(404);
        assertThat(type.message()).contains("'NoType' is not a service type of ShopType 1.0.0").contains("WebType");
        Reply kind = post("/v1/apps/Bad/services", Map.of("name", "S4", "serviceType", "CartType", "kind", "stateless",
                "instanceCount", 2));
        assertThat(kind.status()).isEqualTo(400);
        assertThat(kind.message()).contains("kind: service type CartType is stateful");
        Reply min = post("/v1/apps/Bad/services", Map.of("name", "S5", "serviceType", "CartType",
                "targetReplicaSetSize", 3, "minReplicaSetSize", 5));
        assertThat(min.status()).isEqualTo(400);
        assertThat(min.message()).contains("minReplicaSetSize: 5 must be between 1 and targetReplicaSetSize (3)");
        Reply constraint = post("/v1/apps/Bad/services", Map.of("name", "S6", "serviceType", "WebType",
                "instanceCount", 1, "placementConstraints", "NodeType == "));
        assertThat(constraint.status()).isEqualTo(400);
        assertThat(constraint.message()).contains("placementConstraints");
        Reply unknownField = post("/v1/apps/Bad/services", Map.of("name", "S7", "serviceType", "WebType", "instances", 1));
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.message()).contains("unknown field 'instances'");
        assertThat(get("/v1/apps/Bad/services").body().path("items")).extracting(n -> n.path("name").asText())
                .containsExactly("Front");
    }

    @Test
    void anImpossiblePlacementIsReportedWithTheRuleThatExcludedEachNode() {
        post("/v1/apps", Map.of("name", "Big", "type", "ShopType", "version", "1.0.0"));
        Reply created = post("/v1/apps/Big/services", Map.of("name", "Carts", "serviceType", "CartType",
                "targetReplicaSetSize", 3, "activation", "ExclusiveProcess", "placementConstraints", "NodeType == \"frontend\""));
        assertThat(created.status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> !get("/v1/apps/Big/services/Carts").body().path("placementProblem").isNull());
        JsonNode view = get("/v1/apps/Big/services/Carts").body();
        assertThat(view.path("placementProblem").asText()).contains("constraint").contains("NodeType == \"frontend\"");
        assertThat(view.path("converged").asBoolean()).isFalse();
        assertThat(view.path("replicas").path("placed").asInt()).isEqualTo(1);
    }

    @Test
    void aBlockingReadWaitsForTheNextChange() throws Exception {
        HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(server.apiUrl() + "/v1/apps")).build(),
                HttpResponse.BodyHandlers.ofString());
        long index = Long.parseLong(first.headers().firstValue("X-Capstan-Index").orElseThrow());
        var blocked = http.sendAsync(HttpRequest.newBuilder(URI.create(server.apiUrl() + "/v1/apps?index=" + index + "&wait=30s"))
                .build(), HttpResponse.BodyHandlers.ofString());
        post("/v1/apps", Map.of("name", "Late", "type", "ShopType", "version", "1.0.0"));
        HttpResponse<String> r = blocked.get();
        long woke = Long.parseLong(r.headers().firstValue("X-Capstan-Index").orElseThrow());
        assertThat(woke).isGreaterThan(index);
        // Other commits (the placement of the services created before) may wake it first: a reader that follows
        // the index from answer to answer sees the new application in one of them, never a stale answer.
        long[] at = {woke};
        String[] body = {r.body()};
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            if (body[0].contains("\"Late\"")) {
                return true;
            }
            HttpResponse<String> next = http.send(HttpRequest.newBuilder(URI.create(server.apiUrl() + "/v1/apps?index=" + at[0]
                    + "&wait=5s")).build(), HttpResponse.BodyHandlers.ofString());
            long nextIndex = Long.parseLong(next.headers().firstValue("X-Capstan-Index").orElseThrow());
            assertThat(nextIndex).isGreaterThanOrEqualTo(at[0]);
            at[0] = nextIndex;
            body[0] = next.body();
            return false;
        });
    }

    @Test
    void clusterStatusNamesTheLeader() {
        JsonNode status = get("/v1/cluster/status").body();
        assertThat(status.path("leader").asText()).isEqualTo("s1");
        assertThat(status.path("nodes").path("up").asInt()).isEqualTo(3);
    }

    private Reply register(byte[] archive) {
        return api.send(HttpRequest.newBuilder(URI.create(server.apiUrl() + "/v1/apptypes"))
                .header("Content-Type", "application/gzip").POST(HttpRequest.BodyPublishers.ofByteArray(archive)).build());
    }

    private static byte[] tarGzOf(Path folder) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var gz = new org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream(bytes);
             var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(gz)) {
            Path f = folder.resolve("capstan-app.yaml");
            var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(f.toFile(), "capstan-app.yaml");
            tar.putArchiveEntry(entry);
            Files.copy(f, tar);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private Reply get(String path) {
        return api.get(path);
    }

    private Reply post(String path, Object body) {
        return api.post(path, body);
    }
}
