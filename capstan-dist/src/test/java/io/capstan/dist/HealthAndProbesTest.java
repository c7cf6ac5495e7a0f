package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Probes and crash loops on a real three-node dev cluster: a readiness probe that fails unpublishes the
 * endpoint without a restart, a liveness probe that fails restarts the process, and a code package that
 * keeps failing backs off, shows its exit code and stderr, and is moved to another node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthAndProbesTest {

    private TestCluster cluster;
    private ClusterApi api;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        cluster = new TestCluster(dir, 3);
        api = cluster.api;
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> api.get("/v1/cluster/status").ok().path("nodes").path("up").asInt() == 3);
        assertThat(api.registerPackage(Path.of("src/test/apps/probe-app").toAbsolutePath()).status()).isEqualTo(201);
        api.post("/v1/apps", Map.of("name", "ProbeApp", "type", "ProbeAppType", "version", "1.0.0")).ok();
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private void createService(String name, String type) {
        api.post("/v1/apps/ProbeApp/services", Map.of("name", name, "serviceType", type, "instanceCount", 1,
                "activation", "ExclusiveProcess")).ok();
    }

    private JsonNode onlyReplica(String service) {
        List<JsonNode> items = items(api.get("/v1/apps/ProbeApp/services/" + service + "/replicas").ok());
        assertThat(items).as(service + " replicas").hasSize(1);
        return items.get(0);
    }

    /** The activation hosting the service's only replica, as its node reports it. */
    private JsonNode deployedOf(String service) {
        JsonNode replica = onlyReplica(service);
        return items(api.get("/v1/nodes/" + replica.path("node").asText() + "/deployed").ok()).stream()
                .filter(d -> d.path("activationId").asText().equals(replica.path("activationId").asText()))
                .findFirst().orElseThrow();
    }

    private int post(JsonNode deployed, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + deployed.path("endpoints").path("web").asInt() + path);
        return http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private List<JsonNode> endpoints(String service) {
        return items(api.get("/v1/apps/ProbeApp/services/" + service + "/endpoints").ok());
    }

    @Test
    void aFailingReadinessProbeUnpublishesTheEndpointWithoutARestart() throws Exception {
        createService("Ready", "WebType");
        await().atMost(Duration.ofSeconds(30)).until(() -> onlyReplica("Ready").path("status").asText().equals("Ready"));
        assertThat(endpoints("Ready")).hasSize(1);
        JsonNode before = deployedOf("Ready");
        long pid = before.path("codePackages").get(0).path("pid").asLong();

        assertThat(post(before, "/ready/fail")).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(onlyReplica("Ready").path("status").asText()).isEqualTo("InBuild");
            assertThat(endpoints("Ready")).as("endpoint unpublished").isEmpty();
        });
        JsonNode failing = deployedOf("Ready").path("codePackages").get(0);
        assertThat(failing.path("pid").asLong()).as("readiness does not restart").isEqualTo(pid);
        assertThat(failing.path("ready").asBoolean()).isFalse();
        assertThat(eventKinds(before.path("activationId").asText())).contains("ProbeFailed");
        JsonNode replica = onlyReplica("Ready");
        JsonNode health = api.get("/v1/health?entity=replica:ProbeApp/Ready/" + replica.path("partitionId").asText() + "/"
                + replica.path("id").asText()).ok();
        assertThat(health.path("aggregatedHealthState").asText()).isEqualTo("Warning");
        assertThat(health.toString()).contains("failing its readiness probe").contains("503");

        assertThat(post(before, "/ready/ok")).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(onlyReplica("Ready").path("status").asText()).isEqualTo("Ready");
            assertThat(endpoints("Ready")).hasSize(1);
        });
        assertThat(deployedOf("Ready").path("codePackages").get(0).path("pid").asLong()).isEqualTo(pid);
    }

    @Test
    void aFailingLivenessProbeRestartsTheCodePackage() throws Exception {
        createService("Live", "WebType");
        await().atMost(Duration.ofSeconds(30)).until(() -> onlyReplica("Live").path("status").asText().equals("Ready"));
        JsonNode before = deployedOf("Live");
        long pid = before.path("codePackages").get(0).path("pid").asLong();

        assertThat(post(before, "/healthz/fail")).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode cp = deployedOf("Live").path("codePackages").get(0);
            assertThat(cp.path("pid").asLong()).as("a new process").isNotEqualTo(pid);
            assertThat(cp.path("restartCount").asInt()).isEqualTo(1);
            assertThat(onlyReplica("Live").path("status").asText()).isEqualTo("Ready");
        });
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("the old process is gone").isFalse();
        // The restart says why; a ProbeFailed event may not exist: a failure that heals between two reports
        // never reaches the state, but the exit it caused always does.
        List<JsonNode> events = events(before.path("activationId").asText());
        assertThat(events).extracting(e -> e.path("kind").asText()).contains("CodePackageRestarted");
        assertThat(events).filteredOn(e -> e.path("kind").asText().equals("CodePackageExited")).singleElement()
                .satisfies(e -> assertThat(e.path("message").asText()).contains("after liveness probe failed 2 time(s) in a row"));
    }

    @Test
    void aCrashLoopBacksOffReportsItsStderrAndIsMovedToAnotherNode() {
        createService("Crashy", "CrashType");
        await().atMost(Duration.ofSeconds(30)).until(() -> !items(api.get("/v1/apps/ProbeApp/services/Crashy/replicas").ok()).isEmpty());
        String firstNode = onlyReplica("Crashy").path("node").asText();

        // Backoff grows: the agent reports when the next restart is due, later after each failure. Only the first
        // activation counts: after the move, a new one starts from the first restart again.
        String firstActivation = onlyReplica("Crashy").path("activationId").asText();
        List<Long> delays = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode deployed = deployedOf("Crashy");
            JsonNode cp = deployed.path("codePackages").get(0);
            if (deployed.path("activationId").asText().equals(firstActivation)
                    && cp.hasNonNull("nextRestartAt") && cp.hasNonNull("lastExitAt")) {
                long delay = Duration.between(java.time.Instant.parse(cp.path("lastExitAt").asText()),
                        java.time.Instant.parse(cp.path("nextRestartAt").asText())).toMillis();
                if (delays.isEmpty() || delays.get(delays.size() - 1) != delay) {
                    delays.add(delay);
                }
            }
            assertThat(cp.path("lastExitCode").asInt()).isEqualTo(3);
            assertThat(cp.path("stderrTail").asText()).contains("cannot open /etc/ledger.conf");
            assertThat(delays).as("restart delays seen").hasSizeGreaterThanOrEqualTo(2);
        });
        assertThat(delays).isSorted();

        // Its health says what is wrong, down to the exit code and the program's own words on stderr.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode health = api.get("/v1/health?entity=service:ProbeApp/Crashy").ok();
            assertThat(health.path("aggregatedHealthState").asText()).isEqualTo("Error");
            assertThat(health.toString()).contains("last exit code 3").contains("cannot open /etc/ledger.conf");
        });

        // After moveAfterFailures (4) the replica is Down and placed on another node.
        await().atMost(Duration.ofSeconds(30)).until(() -> eventKinds("ProbeApp/Crashy").contains("ReplicaMoved"));
        JsonNode moved = events("ProbeApp/Crashy").stream().filter(e -> e.path("kind").asText().equals("ReplicaMoved"))
                .findFirst().orElseThrow();
        assertThat(moved.path("message").asText()).startsWith("from " + firstNode + " to ").doesNotEndWith("to " + firstNode);
    }

    private List<JsonNode> events(String entity) {
        return items(api.get("/v1/events?entity=" + entity).ok());
    }

    private List<String> eventKinds(String entity) {
        return events(entity).stream().map(e -> e.path("kind").asText()).toList();
    }

    private static List<JsonNode> items(JsonNode body) {
        return StreamSupport.stream(body.path("items").spliterator(), false).toList();
    }
}
