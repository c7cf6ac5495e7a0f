package io.capstan.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.model.CapstanJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventJournalTest {

    @Test
    void eachNewEventIsOneJsonLine(@TempDir Path dir) throws Exception {
        try (CapstanServer server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + TestApiClient.freePort(), 0,
                dir).withNodeDownAfter(Duration.ofHours(1))).start()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> server.store().isLeader());
            TestApiClient api = new TestApiClient(server::apiUrl);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (EventJournal journal = new EventJournal(server.store(), new PrintStream(bytes, true, StandardCharsets.UTF_8)).start()) {
                api.post("/v1/nodes", Map.of("name", "node-1", "address", "127.0.0.1", "faultDomain", "fd:/r1", "upgradeDomain", "UD0"));
                api.post("/v1/nodes/node-1/disable", Map.of("intent", "restart"));
                await().atMost(Duration.ofSeconds(10)).until(() -> bytes.toString(StandardCharsets.UTF_8).lines().count() >= 5);
            }
            var mapper = CapstanJson.newMapper();
            java.util.List<JsonNode> all = bytes.toString(StandardCharsets.UTF_8).lines().map(l -> {
                try {
                    return mapper.readTree(l);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
            // The audit trail's records are printed beside the events, one line per accepted write.
            java.util.List<JsonNode> audit = all.stream().filter(n -> n.path("kind").asText().equals("Audit")).toList();
            assertThat(audit).extracting(n -> n.path("command").asText()).containsExactly("node.register", "node.disable");
            assertThat(audit).extracting(n -> n.path("actor").asText()).containsOnly("anonymous");
            assertThat(audit.get(1).path("path").asText()).isEqualTo("/v1/nodes/node-1/disable");
            String[] lines = all.stream().filter(n -> !audit.contains(n)).map(JsonNode::toString).toArray(String[]::new);
            JsonNode first = CapstanJson.newMapper().readTree(lines[0]);
            assertThat(first.path("kind").asText()).isEqualTo("NodeUp");
            assertThat(first.path("entity").asText()).isEqualTo("node-1");
            assertThat(first.path("index").asLong()).isPositive();
            assertThat(first.path("at").asText()).endsWith("Z");
            // An empty node drains at once: both transitions, in order, from one command.
            assertThat(CapstanJson.newMapper().readTree(lines[1]).path("kind").asText()).isEqualTo("NodeDisabling");
            assertThat(CapstanJson.newMapper().readTree(lines[2]).path("kind").asText()).isEqualTo("NodeDisabled");
        }
    }
}
