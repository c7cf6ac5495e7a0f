package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.agent.AgentConfig;
import io.capstan.agent.cgroup.Cgroups;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server and three agents as separate OS processes, as on real machines. SIGKILL the agent that hosts a
 * stateful partition's Primary: with default settings the node is Down within seconds, the partition
 * promotes its secondary and builds a new one elsewhere, the stateless service loses that node's
 * instance. Restart the agent: it adopts what it left running, stops what is no longer its own, and the
 * cluster ends with exactly one process per replica.
 */
class FailoverTest {

    @TempDir
    Path dir;

    private final Map<String, Process> agents = new TreeMap<>();
    private Process server;
    private String api;
    private int firstPort;

    @AfterEach
    void stopEverything() throws InterruptedException {
        for (Process agent : agents.values()) {
            agent.destroyForcibly().waitFor(); // dead before its workloads go, so it restarts none of them
        }
        if (server != null) {
            server.destroyForcibly();
        }
        // Agents leave workloads running by design, and killed agents their cgroups; the test must not.
        String cluster = api == null ? "" : api;
        NodeProcesses.killAll(cluster);
        await().atMost(Duration.ofSeconds(30)).until(() -> NodeProcesses.all(cluster).isEmpty());
        for (int i = 1; i <= 3; i++) {
            String scope = AgentConfig.builder("node-" + i, dir.resolve("node-" + i)).build().cgroupScope();
            try {
                Cgroups.removeLeftovers(AgentConfig.DEFAULT_CGROUP_ROOT, scope);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private Process startAgent(int i) throws IOException {
        int first = firstPort + i * 30;
        return CapstanProcess.start(dir.resolve("node-" + i + "-" + System.nanoTime() + ".log"), "agent",
                "--servers", api, "--name", "node-" + i, "--fault-domain", "fd:/rack" + i, "--upgrade-domain", "UD" + i,
                "--data", dir.resolve("node-" + i).toString(), "--capacity", "cpu=4,memory=4096",
                "--property", "rack=r" + i, "--endpoint-ports", first + "-" + (first + 29));
    }

    @Test
    void aKilledAgentsReplicasFailOverAndItsReturnLeavesNoDuplicates() throws Exception {
        int apiPort = TestCluster.freePort();
        api = "http://127.0.0.1:" + apiPort;
        firstPort = 24000 + (int) (ProcessHandle.current().pid() % 40) * 100;
        ClusterApi client = new ClusterApi(api);
        server = CapstanProcess.start(dir.resolve("server.log"), "server", "--name", "s1",
                "--raft-address", "127.0.0.1:" + TestCluster.freePort(), "--api-port", Integer.toString(apiPort),
                "--data", dir.resolve("server").toString());
        for (int i = 1; i <= 3; i++) {
            agents.put("node-" + i, startAgent(i));
        }
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> client.get("/v1/cluster/status").ok().path("nodes").path("up").asInt() == 3);
        JsonNode node1 = client.get("/v1/nodes/node-1").ok();
        assertThat(node1.path("properties").path("rack").asText()).isEqualTo("r1");
        assertThat(node1.path("capacities").path("memoryMiB").asDouble()).isEqualTo(4096.0);

        assertThat(client.registerPackage(Path.of("src/test/apps/failover-app").toAbsolutePath()).status()).isEqualTo(201);
        client.post("/v1/apps", Map.of("name", "FailoverApp", "type", "FailoverAppType", "version", "1.0.0")).ok();
        await().atMost(Duration.ofSeconds(60)).until(() -> client.get("/v1/apps/FailoverApp").ok().path("converged").asBoolean());

        String victim = primaryNode(client);
        long killedAt = System.nanoTime();
        agents.remove(victim).destroyForcibly().waitFor();

        await().atMost(Duration.ofSeconds(15)).until(() -> client.get("/v1/nodes/" + victim).ok().path("status").asText().equals("Down"));
        double downAfterSeconds = (System.nanoTime() - killedAt) / 1e9;
        // The grace runs from the last heartbeat, up to one 1s interval before the kill: at least 2s after it.
        assertThat(downAfterSeconds).as("marked Down after the default 3s grace, not minutes").isGreaterThanOrEqualTo(1.9);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<JsonNode> ledger = replicas(client, "Ledger");
            assertThat(ledger).as("Ledger replicas").hasSize(2)
                    .allSatisfy(r -> assertThat(r.path("status").asText()).isEqualTo("Ready"))
                    .noneSatisfy(r -> assertThat(r.path("node").asText()).isEqualTo(victim));
            assertThat(ledger).filteredOn(r -> r.path("role").asText().equals("Primary")).hasSize(1);
            List<JsonNode> edge = replicas(client, "Edge");
            assertThat(edge).as("Edge instances: the dead node's is gone").hasSize(2)
                    .allSatisfy(r -> assertThat(r.path("status").asText()).isEqualTo("Ready"))
                    .noneSatisfy(r -> assertThat(r.path("node").asText()).isEqualTo(victim));
        });
        List<String> kinds = eventKinds(client);
        assertThat(kinds).contains("NodeDown", "PrimaryChanged", "ReplicaMoved");

        // The agent comes back on the same data directory: node Up, Edge back to 3, Ledger untouched.
        agents.put(victim, startAgent(Integer.parseInt(victim.substring("node-".length()))));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(client.get("/v1/nodes/" + victim).ok().path("status").asText()).isEqualTo("Up");
            assertThat(client.get("/v1/apps/FailoverApp").ok().path("converged").asBoolean()).isTrue();
            assertThat(replicas(client, "Edge")).hasSize(3);
            assertThat(replicas(client, "Ledger")).hasSize(2)
                    .filteredOn(r -> r.path("role").asText().equals("Primary")).hasSize(1);
            // Exactly one process per replica, each the one its node reports: the returning node stopped
            // its old Ledger replica and its old Edge activation instead of keeping duplicates.
            Set<Long> reported = new HashSet<>();
            for (String node : agents.keySet()) {
                client.get("/v1/nodes/" + node + "/deployed").ok().path("items")
                        .forEach(d -> d.path("codePackages").forEach(cp -> reported.add(cp.path("pid").asLong())));
            }
            List<NodeProcesses.Workload> running = NodeProcesses.of(api);
            assertThat(running).as("workload processes").hasSize(5);
            assertThat(running).extracting(NodeProcesses.Workload::pid).containsExactlyInAnyOrderElementsOf(reported);
        });
    }

    private static String primaryNode(ClusterApi client) {
        return replicas(client, "Ledger").stream().filter(r -> r.path("role").asText().equals("Primary"))
                .map(r -> r.path("node").asText()).findFirst().orElseThrow();
    }

    private static List<JsonNode> replicas(ClusterApi client, String service) {
        List<JsonNode> out = new ArrayList<>();
        client.get("/v1/apps/FailoverApp/services/" + service + "/replicas").ok().path("items").forEach(out::add);
        return out;
    }

    private static List<String> eventKinds(ClusterApi client) {
        return StreamSupport.stream(client.get("/v1/events").ok().path("items").spliterator(), false)
                .map(e -> e.path("kind").asText()).toList();
    }
}
