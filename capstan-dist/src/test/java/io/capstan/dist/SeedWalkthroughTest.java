package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hosting-model walk-through of seed 004 on a three-node dev cluster: after creating
 * App1/ServiceA (2 partitions x 3), App1/ServiceB (1 x 3), App2/ServiceA (2 x 3) and the
 * ExclusiveProcess App1/ServiceC (2 x 3), every node holds exactly four activated copies of
 * MyServicePackage, one process each: App1's shared one, App2's shared one, and one per ServiceC replica.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SeedWalkthroughTest {

    private Path dir;

    private TestCluster cluster;
    private ClusterApi api;

    @BeforeAll
    void startClusterAndDeploy(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        cluster = new TestCluster(dir, 3);
        api = cluster.api;
        assertThat(api.registerPackage(TestCluster.examples("walkthrough-app")).status()).isEqualTo(201);
        for (String app : List.of("App1", "App2")) {
            api.post("/v1/apps", Map.of("name", app, "type", "MyAppType", "version", "1.0.0")).ok();
        }
        createService("App1", "ServiceA", Map.of("scheme", "UniformInt64Range", "low", 0, "high", 99, "count", 2), "SharedProcess");
        createService("App1", "ServiceB", Map.of("scheme", "Singleton"), "SharedProcess");
        createService("App2", "ServiceA", Map.of("scheme", "UniformInt64Range", "low", 0, "high", 99, "count", 2), "SharedProcess");
        createService("App1", "ServiceC", Map.of("scheme", "Named", "names", List.of("P6", "P7")), "ExclusiveProcess");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                api.get("/v1/apps/App1").ok().path("converged").asBoolean() && api.get("/v1/apps/App2").ok().path("converged").asBoolean());
    }

    private void createService(String app, String name, Map<String, Object> partitions, String activation) {
        api.post("/v1/apps/" + app + "/services", Map.of("name", name, "serviceType", "MyServiceType",
                "targetReplicaSetSize", 3, "minReplicaSetSize", 2, "partitions", partitions, "activation", activation)).ok();
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
        assertThat(NodeProcesses.of(cluster.cluster.apiUrl())).as("no workload outlives the cluster").isEmpty();
    }

    @Test
    void everyNodeHoldsFourActivationsAsInTheSeedDiagrams() {
        for (String node : List.of("node-1", "node-2", "node-3")) {
            JsonNode deployed = api.get("/v1/nodes/" + node + "/deployed").ok().path("items");
            Map<String, List<String>> idsByApp = new TreeMap<>();
            Map<String, Integer> replicasByActivation = new TreeMap<>();
            for (JsonNode d : deployed) {
                assertThat(d.path("servicePackage").asText()).isEqualTo("MyServicePackage");
                assertThat(d.path("state").asText()).isEqualTo("Active");
                idsByApp.computeIfAbsent(d.path("application").asText(), k -> new ArrayList<>()).add(d.path("activationId").asText());
                replicasByActivation.put(d.path("application").asText() + "/" + d.path("activationId").asText(),
                        d.path("replicaIds").size());
            }
            assertThat(deployed).as(node + " deployed service packages").hasSize(4);
            assertThat(idsByApp.get("App2")).containsExactly("");
            List<String> app1 = idsByApp.get("App1");
            assertThat(app1).hasSize(3).contains("");
            List<String> exclusive = app1.stream().filter(id -> !id.isEmpty()).toList();
            assertThat(exclusive).hasSize(2).doesNotHaveDuplicates();
            // App1's shared copy hosts ServiceA's two partitions and ServiceB's one; App2's hosts its two.
            assertThat(replicasByActivation.get("App1/")).isEqualTo(3);
            assertThat(replicasByActivation.get("App2/")).isEqualTo(2);
            exclusive.forEach(id -> assertThat(replicasByActivation.get("App1/" + id)).isEqualTo(1));
        }
    }

    @Test
    void eachActivationIsOneRealProcessWithItsActivationIdInItsEnvironment() {
        List<NodeProcesses.Workload> workloads = NodeProcesses.of(cluster.cluster.apiUrl());
        Map<String, List<NodeProcesses.Workload>> byNode = workloads.stream()
                .collect(Collectors.groupingBy(NodeProcesses.Workload::node));
        assertThat(byNode.keySet()).containsExactlyInAnyOrder("node-1", "node-2", "node-3");
        for (var entry : byNode.entrySet()) {
            assertThat(entry.getValue()).as("processes on " + entry.getKey()).hasSize(4);
            Set<Long> reportedPids = new java.util.HashSet<>();
            for (JsonNode d : api.get("/v1/nodes/" + entry.getKey() + "/deployed").ok().path("items")) {
                d.path("codePackages").forEach(cp -> reportedPids.add(cp.path("pid").asLong()));
            }
            assertThat(entry.getValue()).extracting(NodeProcesses.Workload::pid).containsExactlyInAnyOrderElementsOf(reportedPids);
            assertThat(entry.getValue()).extracting(w -> w.env().get("CAPSTAN_APPLICATION_NAME"))
                    .containsExactlyInAnyOrder("App1", "App1", "App1", "App2");
            assertThat(entry.getValue()).filteredOn(w -> w.env().get("CAPSTAN_SERVICE_PACKAGE_ACTIVATION_ID").isEmpty())
                    .hasSize(2);
        }
    }

    @Test
    void statefulPartitionsHaveExactlyOnePrimaryAndOneReplicaPerNode() {
        for (String service : List.of("App1/services/ServiceA", "App1/services/ServiceB", "App2/services/ServiceA",
                "App1/services/ServiceC")) {
            Map<String, List<JsonNode>> byPartition = new TreeMap<>();
            api.get("/v1/apps/" + service + "/replicas").ok().path("items")
                    .forEach(r -> byPartition.computeIfAbsent(r.path("partitionId").asText(), k -> new ArrayList<>()).add(r));
            for (List<JsonNode> replicas : byPartition.values()) {
                assertThat(replicas).extracting(r -> r.path("role").asText()).containsExactlyInAnyOrder(
                        "Primary", "ActiveSecondary", "ActiveSecondary");
                assertThat(replicas).extracting(r -> r.path("node").asText()).doesNotHaveDuplicates();
            }
        }
    }

    @Test
    void theActivationModeOfAnExistingServiceCannotBeChanged() {
        ClusterApi.Reply reply = api.patch("/v1/apps/App1/services/ServiceC", Map.of("activation", "SharedProcess"));
        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.body().path("error").path("message").asText())
                .contains("activation mode of capstan:/App1/ServiceC is ExclusiveProcess and cannot be changed");
        assertThat(api.get("/v1/apps/App1/services/ServiceC").ok().path("activation").asText()).isEqualTo("ExclusiveProcess");
    }
}
