package io.capstan.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.server.TestApiClient.Reply;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health over the REST API of a real server: reports are checked strictly, a refused batch changes
 * nothing, and what is accepted shows up in the aggregated health of the entity and of the cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthApiTest {

    private static final String MANIFEST = """
            applicationType: ShopType
            version: 1.0.0
            servicePackages:
              - name: WebPackage
                version: 1.0.0
                serviceTypes:
                  - {name: WebType, kind: stateless, codePackage: Web}
                codePackages:
                  - name: Web
                    version: 1.0.0
                    process: {command: ./run.sh}
            defaultServices:
              - name: Front
                serviceType: WebType
                instanceCount: 1
            """;

    private CapstanServer server;
    private final TestApiClient api = new TestApiClient(() -> server.apiUrl());

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        // The nodes here never heartbeat: a long grace keeps them Up, so only the reports under test change health.
        server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + TestApiClient.freePort(), 0, dir.resolve("server"))
                .withNodeDownAfter(Duration.ofHours(1))).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> server.store().isLeader());
        Reply registered = api.registerPackage(TestPackages.webPackage(dir, MANIFEST));
        assertThat(registered.status()).as(registered.body().toString()).isEqualTo(201);
        for (int i = 1; i <= 3; i++) {
            assertThat(post("/v1/nodes", Map.of("name", "node-" + i, "address", "127.0.0.1", "faultDomain", "fd:/rack" + i,
                    "upgradeDomain", "UD" + i, "capacities", Map.of("cpu", 1.0, "memoryMiB", 1024.0))).status()).isEqualTo(200);
        }
        assertThat(post("/v1/apps", Map.of("name", "Shop", "type", "ShopType", "version", "1.0.0")).status()).isEqualTo(201);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static Map<String, Object> report(String entity, String source, String property, String state) {
        return Map.of("entity", entity, "sourceId", source, "property", property, "healthState", state);
    }

    private static Map<String, Object> with(Map<String, Object> base, Object... pairs) {
        var m = new java.util.LinkedHashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private Reply health(String entity, String... query) {
        StringBuilder q = new StringBuilder("/v1/health?entity=" + URLEncoder.encode(entity, StandardCharsets.UTF_8));
        for (String p : query) {
            q.append('&').append(p);
        }
        return get(q.toString());
    }

    private List<String> reportKeys(String entity) {
        List<String> keys = new java.util.ArrayList<>();
        health(entity).body().path("reports").forEach(r -> keys.add(r.path("sourceId").asText() + "/" + r.path("property").asText()));
        return keys;
    }

    @Test
    void anAcceptedReportShowsUpOnItsEntityAndInTheCluster() {
        Reply posted = post("/v1/health/reports", with(report("node:node-1", "Watchdog.Disk", "DiskSpace", "Warning"),
                "description", "/var at 91%", "timeToLive", "5m"));
        assertThat(posted.status()).as(posted.body().toString()).isEqualTo(200);
        JsonNode stored = posted.body().path("items").get(0);
        assertThat(stored.path("sequenceNumber").asLong()).isPositive();
        assertThat(stored.path("reportedAt").asText()).isNotEmpty();
        assertThat(stored.path("timeToLive").asText()).isEqualTo("5m");
        assertThat(posted.index()).isNotNull();

        Reply node = health("node:node-1");
        assertThat(node.status()).isEqualTo(200);
        assertThat(node.index()).isNotNull();
        assertThat(node.body().path("aggregatedHealthState").asText()).isEqualTo("Warning");
        assertThat(reportKeys("node:node-1")).containsExactly("System.FM/State", "Watchdog.Disk/DiskSpace");
        assertThat(node.body().path("unhealthyEvaluations").get(0).path("description").asText())
                .isEqualTo("Watchdog.Disk/DiskSpace: /var at 91%");

        JsonNode cluster = get("/v1/health").body();
        assertThat(cluster.path("entity").asText()).isEqualTo("cluster");
        assertThat(cluster.path("children").get(0).path("kind").asText()).isEqualTo("Nodes");
        assertThat(cluster.path("children").get(0).path("warning").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(cluster.path("clusterHealthPolicy").path("maxPercentUnhealthyNodes").asInt()).isZero();
    }

    @Test
    void aSystemSourceIsRefusedAndNothingChanges() {
        List<String> before = reportKeys("node:node-2");
        long index = Long.parseLong(get("/v1/cluster/status").index());
        Reply r = post("/v1/health/reports", report("node:node-2", "System.FM", "State", "Error"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo("INVALID");
        assertThat(r.message()).startsWith("sourceId: 'System.FM' starts with 'System.'").contains("Watchdog.Disk");
        assertThat(reportKeys("node:node-2")).isEqualTo(before);
        assertThat(server.store().snapshot().healthReportsOn(new io.capstan.model.health.HealthEntity.Node("node-2")))
                .noneMatch(x -> x.sourceId().startsWith("System."));
        assertThat(server.store().snapshot().eventsAfter(index)).noneMatch(e -> e.kind().equals("HealthReported")
                && e.message().startsWith("System."));
    }

    @Test
    void anOlderSequenceNumberIsStaleAndKeepsTheNewerReport() {
        assertThat(post("/v1/health/reports", with(report("node:node-3", "Backup", "LastRun", "Ok"),
                "sequenceNumber", 10, "description", "ran at 02:00")).status()).isEqualTo(200);
        Reply stale = post("/v1/health/reports", with(report("node:node-3", "Backup", "LastRun", "Error"),
                "sequenceNumber", 5, "description", "never ran"));
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.code()).isEqualTo("CONFLICT");
        assertThat(stale.message()).contains("sequence number 10 stored").contains("send a higher sequence number");
        JsonNode kept = find(health("node:node-3").body(), "Backup");
        assertThat(kept.path("description").asText()).isEqualTo("ran at 02:00");
        assertThat(kept.path("sequenceNumber").asLong()).isEqualTo(10);
        // The same number replaces: a retry of the same report is not an error.
        assertThat(post("/v1/health/reports", with(report("node:node-3", "Backup", "LastRun", "Ok"),
                "sequenceNumber", 10, "description", "ran at 02:00 (retry)")).status()).isEqualTo(200);
    }

    @Test
    void withoutASequenceNumberTheServerAssignsIncreasingOnes() {
        long first = post("/v1/health/reports", report("app:Shop", "Deployer", "Rollout", "Ok")).body()
                .path("items").get(0).path("sequenceNumber").asLong();
        long second = post("/v1/health/reports", report("app:Shop", "Deployer", "Rollout", "Ok")).body()
                .path("items").get(0).path("sequenceNumber").asLong();
        assertThat(second).isGreaterThan(first);
        // Even after a client chose a number far ahead of the clock.
        long ahead = Long.MAX_VALUE / 2;
        assertThat(post("/v1/health/reports", with(report("app:Shop", "Deployer", "Rollout", "Ok"), "sequenceNumber", ahead))
                .status()).isEqualTo(200);
        assertThat(post("/v1/health/reports", report("app:Shop", "Deployer", "Rollout", "Warning")).body()
                .path("items").get(0).path("sequenceNumber").asLong()).isGreaterThan(ahead);
    }

    @Test
    void aMissingEntityIsNotFoundAndABadEntityTextIsInvalid() {
        Reply missing = post("/v1/health/reports", report("node:node-9", "Watchdog", "Disk", "Ok"));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.message()).isEqualTo("health entity node:node-9 does not exist in the cluster; see `capstan node list`");
        Reply bad = post("/v1/health/reports", report("nodes:node-1", "Watchdog", "Disk", "Ok"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.message()).startsWith("entity: health entity 'nodes:node-1' is not valid; write one of: cluster, node:NODE");
        assertThat(health("service:Shop/Nope").status()).isEqualTo(404);
        assertThat(health("service:Shop/Nope").message()).contains("`capstan service list Shop`");
        assertThat(health("service:Shop").status()).isEqualTo(400);
    }

    @Test
    void aBatchIsAppliedWholeOrNotAtAll() {
        Reply refused = post("/v1/health/reports", Map.of("reports", List.of(
                report("node:node-2", "Batch", "One", "Warning"),
                report("service:Shop/Missing", "Batch", "Two", "Warning"))));
        assertThat(refused.status()).isEqualTo(404);
        assertThat(reportKeys("node:node-2")).doesNotContain("Batch/One");
        Reply invalid = post("/v1/health/reports", Map.of("reports", List.of(
                report("node:node-2", "Batch", "One", "Warning"),
                report("node:node-2", "Batch", "Two", "Bad"))));
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.message()).isEqualTo("reports[1].healthState: 'Bad' is not a health state; use Ok, Warning or Error");
        Reply duplicate = post("/v1/health/reports", Map.of("reports", List.of(
                report("node:node-2", "Batch", "One", "Warning"), report("node:node-2", "Batch", "One", "Ok"))));
        assertThat(duplicate.status()).isEqualTo(400);
        assertThat(duplicate.message()).contains("reports[1]: reports the same entity, sourceId and property as reports[0]");
        assertThat(reportKeys("node:node-2")).doesNotContain("Batch/One");
        Reply accepted = post("/v1/health/reports", Map.of("reports", List.of(
                report("node:node-2", "Batch", "One", "Ok"), report("service:Shop/Front", "Batch", "Two", "Ok"))));
        assertThat(accepted.status()).isEqualTo(200);
        assertThat(accepted.body().path("items")).hasSize(2);
        assertThat(reportKeys("node:node-2")).contains("Batch/One");
    }

    @Test
    void badFieldsAreNamedWithTheirFix() {
        assertThat(post("/v1/health/reports", with(report("node:node-1", "W", "P", "Ok"), "ttl", "30s")).message())
                .startsWith("unknown field 'ttl'");
        assertThat(post("/v1/health/reports", with(report("node:node-1", "W", "P", "Ok"), "timeToLive", "soon")).message())
                .isEqualTo("timeToLive: 'soon' is not a duration: write it like 500ms, 30s, 2m, 1h or PT30S");
        assertThat(post("/v1/health/reports", with(report("node:node-1", "W", "P", "Ok"), "removeWhenExpired", true)).message())
                .isEqualTo("removeWhenExpired: needs a timeToLive; a report without one never expires");
        assertThat(post("/v1/health/reports", Map.of("entity", "node:node-1", "sourceId", "W", "healthState", "Ok")).message())
                .startsWith("property: is missing");
        assertThat(post("/v1/health/reports", with(report("node:node-1", "W", "P", "Ok"), "sequenceNumber", -1)).message())
                .startsWith("sequenceNumber: -1 is negative");
        assertThat(post("/v1/health/reports", Map.of("reports", List.of())).message()).startsWith("reports: is empty");
        assertThat(post("/v1/health/reports", Map.of("reports", java.util.Arrays.asList((Object) null))).message())
                .isEqualTo("reports[0]: is null; send a report object");
        assertThat(reportKeys("node:node-1")).doesNotContain("W/P");
    }

    @Test
    void queryOverridesChangeThePolicyAndBadOnesAreRefused() {
        await().atMost(Duration.ofSeconds(10)).until(() -> health("service:Shop/Front").body()
                .path("aggregatedHealthState").asText().equals("Warning"));
        Reply strict = health("service:Shop/Front", "considerWarningAsError=true");
        assertThat(strict.body().path("aggregatedHealthState").asText()).isEqualTo("Error");
        assertThat(strict.body().path("applicationHealthPolicy").path("considerWarningAsError").asBoolean()).isTrue();
        assertThat(health("service:Shop/Front", "maxPercentUnhealthyNodes=abc").message())
                .isEqualTo("maxPercentUnhealthyNodes: 'abc' must be a whole percentage from 0 to 100");
        assertThat(health("service:Shop/Front", "maxPercentUnhealthyReplicasPerPartition=101").status()).isEqualTo(400);
        assertThat(health("service:Shop/Front", "considerWarningAsError=yes").message())
                .isEqualTo("considerWarningAsError: 'yes' must be true or false");
        assertThat(health("service:Shop/Front", "maxPercentUnhealthyReplicas=50").message())
                .startsWith("unknown query parameter 'maxPercentUnhealthyReplicas'; known: [");
    }

    @Test
    void theLeaderRemovesAReportWithRemoveWhenExpiredOnceItExpires() {
        assertThat(post("/v1/health/reports", with(report("node:node-3", "Probe.Once", "Ping", "Error"),
                "timeToLive", "1s", "removeWhenExpired", true)).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.store().snapshot().healthReports().values().stream()
                .flatMap(m -> m.values().stream()).noneMatch(r -> r.sourceId().equals("Probe.Once")));
        assertThat(reportKeys("node:node-3")).doesNotContain("Probe.Once/Ping");
        assertThat(get("/v1/events?entity=node:node-3").body().path("items").toString()).contains("HealthReportExpired");
    }

    private static JsonNode find(JsonNode health, String source) {
        for (JsonNode r : health.path("reports")) {
            if (r.path("sourceId").asText().equals(source)) {
                return r;
            }
        }
        throw new AssertionError("no report from " + source + " in " + health);
    }

    private Reply get(String path) {
        return api.get(path);
    }

    private Reply post(String path, Object body) {
        return api.post(path, body);
    }
}
