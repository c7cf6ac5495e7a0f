package io.capstan.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.server.TestApiClient.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service of 100,000 replicas on 2,000 nodes registered over the API: created, placed in the committed state
 * (the plan is far over one Raft entry, so it must be split), listed, and deleted. The time is printed, not
 * asserted: speed is the benchmark's business (ControlPlaneScaleBenchmark).
 */
class LargeServiceTest {

    private static final String MANIFEST = TestPackages.statelessManifest("BigType", 0.1);
    private static final int NODES = 2_000;
    private static final int PARTITIONS = 33_334;

    @Test
    void aServiceOfAHundredThousandReplicasIsPlacedThroughTheApi(@TempDir Path dir) throws Exception {
        // The simulated nodes never heartbeat: a long grace keeps them Up.
        try (CapstanServer server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + TestApiClient.freePort(), 0,
                dir.resolve("server")).withNodeDownAfter(Duration.ofHours(1))).start()) {
            TestApiClient api = new TestApiClient(server::apiUrl);
            await().atMost(Duration.ofSeconds(20)).until(() -> server.store().isLeader());
            assertThat(api.registerPackage(TestPackages.webPackage(dir, MANIFEST)).status()).isEqualTo(201);
            registerNodes(api);
            assertThat(api.post("/v1/apps", Map.of("name", "Big", "type", "BigType", "version", "1.0.0")).status()).isEqualTo(201);

            long started = System.nanoTime();
            Reply created = api.post("/v1/apps/Big/services", Map.of("name", "Web", "serviceType", "WebType", "instanceCount", 3,
                    "partitions", Map.of("scheme", "UniformInt64Range", "low", 0, "high", 999_999, "count", PARTITIONS)));
            assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> server.store().snapshot().replicas().size() == 3 * PARTITIONS);
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("LargeServiceTest: %,d replicas on %,d nodes placed in %.1f s (%,.0f placements/s end to end)%n",
                    3 * PARTITIONS, NODES, seconds, 3 * PARTITIONS / seconds);

            JsonNode service = api.get("/v1/apps/Big/services/Web").body();
            assertThat(service.path("replicas").path("placed").asInt()).isEqualTo(3 * PARTITIONS);
            assertThat(service.path("placementProblem").isMissingNode() || service.path("placementProblem").isNull()).isTrue();
            var perNode = new java.util.HashMap<String, Integer>();
            server.store().snapshot().replicas().values().forEach(r -> perNode.merge(r.node(), 1, Integer::sum));
            assertThat(perNode).hasSize(NODES);
            assertThat(perNode.values()).as("balanced: at most twice the average per node").allMatch(n -> n <= 2 * 3 * PARTITIONS / NODES);
            assertThat(api.get("/v1/apps/Big/services/Web/replicas").body().path("items").size()).isEqualTo(3 * PARTITIONS);

            assertThat(api.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.base() + "/v1/apps/Big/services/Web"))
                    .DELETE().build()).status()).isEqualTo(200);
            assertThat(server.store().snapshot().replicas()).isEmpty();
        }
    }

    /** 2,000 registrations, 16 at a time (the server commits them as Raft batches). */
    private static void registerNodes(TestApiClient api) throws Exception {
        try (var pool = Executors.newFixedThreadPool(16)) {
            List<Future<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                String name = "node-" + i;
                int fd = i % 50;
                int ud = i % 10;
                replies.add(pool.submit(() -> api.post("/v1/nodes", Map.of("name", name, "address", "127.0.0.1",
                        "faultDomain", "fd:/dc1/rack" + fd, "upgradeDomain", "UD" + ud,
                        "capacities", Map.of("cpu", 6.4, "memoryMiB", 65536.0)))));
            }
            for (Future<Reply> r : replies) {
                assertThat(r.get().status()).isEqualTo(200);
            }
        }
    }
}
