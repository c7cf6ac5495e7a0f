package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator disables the node that holds a stateful partition's Primary: the Primary is handed over,
 * a replacement becomes Ready on the spare node before the old replica stops, the node ends Disabled and
 * empty, and enabling it puts it back into service.
 */
class DrainTest {

    @Test
    void disablingANodeMovesItsReplicasOffGracefullyThenEnablingBringsItBack(@TempDir Path dir) throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3)) {
            ClusterApi api = cluster.api;
            assertThat(api.registerPackage(TestCluster.examples("walkthrough-app")).status()).isEqualTo(201);
            api.post("/v1/apps", Map.of("name", "App1", "type", "MyAppType", "version", "1.0.0")).ok();
            api.post("/v1/apps/App1/services", Map.of("name", "Ledger", "serviceType", "MyServiceType",
                    "targetReplicaSetSize", 2, "minReplicaSetSize", 2, "activation", "ExclusiveProcess")).ok();
            await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/v1/apps/App1").ok().path("converged").asBoolean());
            String victim = replicas(api).stream().filter(r -> r.path("role").asText().equals("Primary"))
                    .map(r -> r.path("node").asText()).findFirst().orElseThrow();

            JsonNode disabling = api.post("/v1/nodes/" + victim + "/disable", Map.of("intent", "restart")).ok();
            assertThat(disabling.path("status").asText()).isEqualTo("Disabling");

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(api.get("/v1/nodes/" + victim).ok().path("status").asText()).isEqualTo("Disabled");
                List<JsonNode> ledger = replicas(api);
                assertThat(ledger).hasSize(2).allSatisfy(r -> {
                    assertThat(r.path("status").asText()).isEqualTo("Ready");
                    assertThat(r.path("node").asText()).isNotEqualTo(victim);
                });
                assertThat(ledger).filteredOn(r -> r.path("role").asText().equals("Primary")).hasSize(1);
                assertThat(NodeProcesses.of(cluster.cluster.apiUrl())).as("processes left on " + victim)
                        .noneMatch(w -> victim.equals(w.node()));
            });
            // Graceful: the Primary moved first, and the replacement was Ready before the old replica went.
            List<JsonNode> events = items(api.get("/v1/events?entity=App1/Ledger").ok());
            long handover = indexOf(events, "PrimaryChanged");
            long removed = events.stream().filter(e -> e.path("kind").asText().matches("ReplicaMoved|ReplicaRemoved"))
                    .mapToLong(e -> e.path("index").asLong()).min().orElseThrow();
            long replacementReady = events.stream().filter(e -> e.path("kind").asText().equals("ReplicaReady")
                            && !e.path("message").asText().contains(victim))
                    .mapToLong(e -> e.path("index").asLong()).max().orElseThrow();
            assertThat(handover).isLessThan(removed);
            assertThat(replacementReady).isLessThan(removed);

            assertThat(api.post("/v1/nodes/" + victim + "/enable", Map.of()).ok().path("status").asText()).isEqualTo("Up");
        }
    }

    private static long indexOf(List<JsonNode> events, String kind) {
        return events.stream().filter(e -> e.path("kind").asText().equals(kind)).mapToLong(e -> e.path("index").asLong())
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " event in " + events));
    }

    private static List<JsonNode> replicas(ClusterApi api) {
        return items(api.get("/v1/apps/App1/services/Ledger/replicas").ok());
    }

    private static List<JsonNode> items(JsonNode body) {
        return StreamSupport.stream(body.path("items").spliterator(), false).toList();
    }
}
