package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL the whole dev cluster (one OS process: server and agents) in the middle of a deploy,
 * start it again on the same data directory: everything acknowledged comes back, the cluster
 * converges, and every node runs exactly its activations: no duplicate, no orphan.
 */
class CrashRestartTest {

    @TempDir
    Path dir;

    private Process dev;
    private String api;

    @AfterEach
    void stopDev() {
        if (dev != null && dev.isAlive()) {
            dev.destroyForcibly();
        }
        // Anything the test left behind must not outlive it, whatever failed.
        NodeProcesses.killAll(api == null ? "" : api);
    }

    @Test
    void aClusterKilledMidDeployComesBackWithoutDuplicatesOrOrphans() throws Exception {
        DevProcess cluster = DevProcess.onFreePorts(dir, dir, 21000);
        api = cluster.api();
        ClusterApi client = new ClusterApi(api);
        dev = cluster.start();

        assertThat(client.registerPackage(TestCluster.examples("walkthrough-app")).status()).isEqualTo(201);
        client.post("/v1/apps", Map.of("name", "App1", "type", "MyAppType", "version", "1.0.0")).ok();
        client.post("/v1/apps/App1/services", Map.of("name", "ServiceA", "serviceType", "MyServiceType",
                "targetReplicaSetSize", 3, "minReplicaSetSize", 2,
                "partitions", Map.of("scheme", "UniformInt64Range", "low", 0, "high", 99, "count", 2))).ok();
        client.post("/v1/apps/App1/services", Map.of("name", "ServiceC", "serviceType", "MyServiceType",
                "targetReplicaSetSize", 3, "minReplicaSetSize", 2, "activation", "ExclusiveProcess",
                "partitions", Map.of("scheme", "Named", "names", List.of("P6", "P7")))).ok();
        // Mid-deploy: at least one code package is up, and the cluster has not converged yet or just did.
        await().atMost(Duration.ofSeconds(30)).until(() -> !NodeProcesses.of(api).isEmpty());
        dev.destroyForcibly().waitFor();

        dev = cluster.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> client.get("/v1/apps/App1").ok().path("converged").asBoolean());
        // Every acknowledged change survived: both services, with their partitions.
        assertThat(client.get("/v1/apps/App1/services").ok().path("items")).extracting(n -> n.path("name").asText())
                .containsExactly("ServiceA", "ServiceC");

        // Each node: one shared activation (ServiceA's two partitions) plus one per ServiceC replica (two).
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Set<Long> reported = new HashSet<>();
            for (String node : List.of("node-1", "node-2", "node-3")) {
                JsonNode deployed = client.get("/v1/nodes/" + node + "/deployed").ok().path("items");
                assertThat(deployed).as(node).hasSize(3);
                deployed.forEach(d -> d.path("codePackages").forEach(cp -> reported.add(cp.path("pid").asLong())));
            }
            List<NodeProcesses.Workload> running = NodeProcesses.of(api);
            assertThat(running).as("code package processes in all").hasSize(9);
            assertThat(running).extracting(NodeProcesses.Workload::pid).containsExactlyInAnyOrderElementsOf(reported);
        });

        dev.destroy(); // SIGTERM: dev mode stops its workloads on the way out
        assertThat(dev.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("dev exits after SIGTERM").isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> NodeProcesses.of(api).isEmpty());
    }
}
