package io.capstan.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.server.TestApiClient.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leader's failure detector and the operator's disable/enable, through the REST API of a real server. */
class NodeLivenessTest {

    private static final Duration DOWN_AFTER = Duration.ofSeconds(1);

    private CapstanServer server;
    private final TestApiClient api = new TestApiClient(() -> server.apiUrl());
    private final ScheduledExecutorService agent = Executors.newSingleThreadScheduledExecutor();
    /** Before the nodes registered: their last heartbeat (the registration) is no earlier than this. */
    private Instant registeringAt;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + TestApiClient.freePort(), 0, dir.resolve("server"))
                .withNodeDownAfter(DOWN_AFTER)).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> server.store().isLeader());
        registeringAt = Instant.now();
        for (String n : new String[] {"node-1", "node-2"}) {
            assertThat(api.post("/v1/nodes", Map.of("name", n, "address", "127.0.0.1", "faultDomain", "fd:/" + n,
                    "upgradeDomain", "UD0")).status()).isEqualTo(200);
        }
    }

    @AfterEach
    void stop() {
        agent.shutdownNow();
        server.close();
    }

    private String status(String node) {
        return api.get("/v1/nodes/" + node).body().path("status").asText();
    }

    @Test
    void aSilentNodeIsDownAfterTheGraceAndUpAgainWhenItHeartbeats() {
        // node-1 behaves like a live agent; node-2 has gone silent.
        agent.scheduleAtFixedRate(() -> api.post("/v1/nodes/node-1/heartbeat", Map.of()), 0, 200, TimeUnit.MILLISECONDS);

        await().atMost(Duration.ofSeconds(10)).until(() -> status("node-2").equals("Down"));
        assertThat(Duration.between(registeringAt, Instant.now())).isGreaterThanOrEqualTo(DOWN_AFTER);
        assertThat(api.get("/v1/nodes/node-2").body().path("reason").asText()).startsWith("no heartbeat for");
        assertThat(status("node-1")).isEqualTo("Up");

        assertThat(api.post("/v1/nodes/node-2/heartbeat", Map.of()).status()).isEqualTo(200);
        assertThat(status("node-2")).isEqualTo("Up");
        assertThat(api.get("/v1/nodes/node-2").body().path("reason").asText()).isEqualTo("heartbeats resumed");
    }

    @Test
    void aNodeRegisteredLongAfterTheLeaderTookOverGetsItsWholeGrace() {
        // node-2 going Down proves the leader has been watching for longer than the grace.
        await().atMost(Duration.ofSeconds(10)).until(() -> status("node-2").equals("Down"));
        assertThat(api.post("/v1/nodes", Map.of("name", "node-3", "address", "127.0.0.1", "faultDomain", "fd:/node-3",
                "upgradeDomain", "UD0")).status()).isEqualTo(200);
        await().during(DOWN_AFTER.dividedBy(2)).atMost(DOWN_AFTER).until(() -> status("node-3").equals("Up"));
    }

    @Test
    void disablingNeedsAnIntentAndAnEmptyNodeIsDisabledAtOnce() {
        agent.scheduleAtFixedRate(() -> api.post("/v1/nodes/node-1/heartbeat", Map.of()), 0, 200, TimeUnit.MILLISECONDS);
        Reply missing = api.post("/v1/nodes/node-1/disable", Map.of());
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.message()).contains("intent").contains("restart").contains("remove");
        Reply wrong = api.post("/v1/nodes/node-1/disable", Map.of("intent", "reboot"));
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(status("node-1")).as("a rejected request changes nothing").isEqualTo("Up");
        assertThat(api.post("/v1/nodes/node-9/disable", Map.of("intent", "restart")).status()).isEqualTo(404);

        Reply disabled = api.post("/v1/nodes/node-1/disable", Map.of("intent", "remove"));
        assertThat(disabled.status()).isEqualTo(200);
        assertThat(disabled.body().path("status").asText()).isEqualTo("Disabled");
        assertThat(disabled.body().path("disableIntent").asText()).isEqualTo("Remove");
        // Heartbeats do not bring a disabled node back into service; only an operator does.
        String lastBeat = api.get("/v1/nodes/node-1").body().path("lastHeartbeat").asText();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !api.get("/v1/nodes/node-1").body().path("lastHeartbeat").asText().equals(lastBeat));
        assertThat(status("node-1")).isEqualTo("Disabled");

        Reply enabled = api.post("/v1/nodes/node-1/enable", Map.of());
        assertThat(enabled.body().path("status").asText()).isEqualTo("Up");
        assertThat(enabled.body().has("disableIntent")).isFalse();
    }
}
