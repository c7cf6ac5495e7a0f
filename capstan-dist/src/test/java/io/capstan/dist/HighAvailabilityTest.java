package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.agent.AgentConfig;
import io.capstan.agent.NodeAgent;
import io.capstan.agent.PortRange;
import io.capstan.agent.cgroup.Cgroups;
import io.capstan.model.pkg.ApplicationPackage;
import io.capstan.model.pkg.PackageArchive;
import io.capstan.server.CapstanServer;
import io.capstan.server.ServerConfig;
import io.capstan.server.control.NodeLivenessController;
import io.capstan.state.ratis.RaftMembership;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real servers (Ratis on 127.0.0.1) and three real agents in one JVM, each agent configured first with a
 * different server, as a new user would set up a highly available control plane. Nodes stay Up however their agent
 * started; a package registered through a follower while the other one is down runs on every node, and the one that
 * was down fetches it when it is back; the leader can be closed under a write load without losing an acknowledged
 * write, a node going Down or a workload restarting; the package stays available after the server that received it
 * is gone.
 */
class HighAvailabilityTest {

    private static final List<String> NAMES = List.of("s1", "s2", "s3");
    /**
     * A new leader marks a silent node Down at the earliest the failover grace plus the down-after (3 s) after it is
     * ready; checking Up for longer than that shows the heartbeats, not the grace, keep the nodes Up.
     */
    private static final Duration PAST_THE_GRACE = NodeLivenessController.FAILOVER_GRACE.plusSeconds(3 + 2);

    @TempDir
    Path dir;

    private final Map<String, CapstanServer> servers = new LinkedHashMap<>();
    private final Map<String, String> urls = new LinkedHashMap<>();
    private final Map<String, ServerConfig> configs = new LinkedHashMap<>();
    private final List<NodeAgent> agents = new ArrayList<>();

    @AfterEach
    void stopEverything() throws InterruptedException, IOException {
        List<Thread> stopping = agents.stream().map(a -> Thread.ofVirtual().start(() -> {
            try {
                a.closeAndStopWorkloads(Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })).toList();
        for (Thread t : stopping) {
            t.join();
        }
        servers.values().forEach(CapstanServer::close);
        for (String url : urls.values()) {
            NodeProcesses.killAll(url);
        }
        for (int i = 1; i <= 3; i++) {
            Cgroups.removeLeftovers(AgentConfig.DEFAULT_CGROUP_ROOT,
                    AgentConfig.builder("node-" + i, dir.resolve("node-" + i)).build().cgroupScope());
        }
    }

    @Test
    void anyServerServesTheApiAndTheLeaderCanGoWithoutANodeGoingDown() throws Exception {
        Instant started = Instant.now();
        startServers();
        assertRaftPortsListenOnLoopbackOnly();
        startAgents();

        String leader = awaitLeader(Set.of());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> api(leader).get("/v1/cluster/status").ok().path("nodes").path("up").asInt() == 3);
        awaitHeartbeatsOn(leader, started);

        // A follower is down while the package is registered through the other one: a majority is enough.
        List<String> followers = NAMES.stream().filter(n -> !n.equals(leader)).toList();
        String receiver = followers.get(0);
        String other = followers.get(1);
        servers.remove(other).close();
        Path appFolder = Path.of("src/test/apps/failover-app").toAbsolutePath();
        String digest = PackageArchive.sha256(ApplicationPackage.load(appFolder).toTarGz());
        assertThat(api(receiver).registerPackage(appFolder).status()).isEqualTo(201);
        // Acknowledged only once a majority holds it: the servers' own copies (the internal route never fetches).
        assertThat(status(urls.get(leader) + "/v1/internal/packages/" + digest)).isEqualTo(200);
        assertThat(status(urls.get(receiver) + "/v1/internal/packages/" + digest)).isEqualTo(200);
        // The follower comes back and fetches the package from a peer by itself, checked against the digest.
        servers.put(other, new CapstanServer(configs.get(other)).start());
        await().atMost(Duration.ofSeconds(20)).until(() -> status(urls.get(other) + "/v1/internal/packages/" + digest) == 200);
        // A peer stores only what has the digest it is sent under.
        ClusterApi.Reply forged = api(other).put("/v1/internal/packages/" + "0".repeat(64), "not a package");
        assertThat(forged.status()).isEqualTo(400);
        assertThat(forged.body().path("error").path("message").asText()).contains("SHA-256");
        // A write through the follower that came back.
        api(other).post("/v1/apps", Map.of("name", "FailoverApp", "type", "FailoverAppType", "version", "1.0.0")).ok();
        // Reads are linearizable: a server that did not take the write sees it at once.
        assertThat(api(receiver).get("/v1/apps/FailoverApp").status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> api(leader).get("/v1/apps/FailoverApp").ok().path("converged").asBoolean());
        Map<Long, String> workloads = workloads();
        assertThat(new TreeSet<>(workloads.values())).as("Edge runs on every node").containsExactly("node-1", "node-2", "node-3");
        // Past the first leader's grace: agents that first asked a follower beat to the leader and stay Up.
        assertAllUpUntil(leader, started.plus(PAST_THE_GRACE));

        // Under a write load through every server, the leader goes.
        WriteLoad load = new WriteLoad(List.copyOf(urls.values()));
        await().atMost(Duration.ofSeconds(10)).until(() -> load.acknowledged().size() >= 10);
        Instant closedAt = Instant.now();
        servers.remove(leader).close();
        String newLeader = awaitLeader(Set.of(leader));
        int beforeNewLeader = load.acknowledged().size();
        await().atMost(Duration.ofSeconds(15)).until(() -> load.acknowledged().size() >= beforeNewLeader + 10);
        load.stop();
        // No acknowledged write is lost.
        Set<String> stored = new TreeSet<>();
        api(newLeader).get("/v1/health?entity=cluster").ok().path("reports").forEach(r -> {
            if (r.path("sourceId").asText().equals("Load")) {
                stored.add(r.path("property").asText());
            }
        });
        assertThat(stored).as("reports stored after the failover").containsAll(load.acknowledged());
        // Writes resume through the new leader and through the follower.
        for (String server : servers.keySet()) {
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> api(server).post("/v1/health/reports",
                    Map.of("entity", "cluster", "sourceId", "Test", "property", "via-" + server, "healthState", "Ok")).status() == 200);
        }
        // Every agent found the new leader: its heartbeats arrive there, so no node goes Down past the new leader's
        // grace, and no workload was restarted.
        awaitHeartbeatsOn(newLeader, closedAt);
        assertAllUpUntil(newLeader, closedAt.plus(PAST_THE_GRACE));
        assertThat(eventKinds(newLeader)).doesNotContain("NodeDown");
        assertThat(workloads()).isEqualTo(workloads);

        // The server that received the upload goes too: the last one still serves the package, verified by digest.
        String last = servers.keySet().stream().filter(n -> !n.equals(receiver)).findFirst().orElseThrow();
        servers.remove(receiver).close();
        HttpResponse<byte[]> pkg = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(urls.get(last) + "/v1/packages/" + digest)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(pkg.statusCode()).isEqualTo(200);
        assertThat(PackageArchive.sha256(pkg.body())).isEqualTo(digest);
        // Alone it has no majority: once its leader lease (if it led) has run out, a linearizable read says so; a stale
        // one answers from its own state.
        ClusterApi.Reply noLeader = await().atMost(Duration.ofSeconds(20)).until(() -> api(last).get("/v1/apps"),
                r -> r.status() == 503);
        assertThat(noLeader.body().path("error").path("message").asText()).contains("stale=true");
        assertThat(api(last).get("/v1/apps?stale=true").ok().path("items").get(0).path("name").asText()).isEqualTo("FailoverApp");
    }

    /**
     * Health reports written one after another, each through the next server in turn (the dying leader too), each
     * given 5 s, about 20 a second; what was acknowledged with 200 is kept. At most 90 (an entity holds at most 100
     * reports).
     */
    private static final class WriteLoad {
        private final java.util.Queue<String> acknowledged = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final Thread thread;
        private volatile boolean stopped;

        WriteLoad(List<String> servers) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            thread = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 90 && !stopped; i++) {
                    String property = "w-" + i;
                    String body = "{\"entity\":\"cluster\",\"sourceId\":\"Load\",\"property\":\"" + property
                            + "\",\"healthState\":\"Ok\"}";
                    try {
                        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(servers.get(i % servers.size())
                                + "/v1/health/reports")).timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() == 200) {
                            acknowledged.add(property);
                        }
                    } catch (IOException e) {
                        // Not acknowledged: the server is gone or did not answer in time.
                    } catch (InterruptedException e) {
                        return;
                    }
                    try {
                        Thread.sleep(50); // pacing: the load spans the failover instead of ending before it
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        List<String> acknowledged() {
            return List.copyOf(acknowledged);
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.join();
        }
    }

    /** Every node's heartbeats reach {@code server}: the newest it heard is after {@code since}. */
    private void awaitHeartbeatsOn(String server, Instant since) {
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
            JsonNode nodes = api(server).get("/v1/nodes").ok().path("items");
            assertThat(nodes).hasSize(3).allSatisfy(n -> assertThat(Instant.parse(n.path("lastHeartbeat").asText()))
                    .isAfter(since));
        });
    }

    /** All three nodes are Up on {@code server}, checked continuously until {@code until} (for a second at least). */
    private void assertAllUpUntil(String server, Instant until) {
        Duration left = Duration.between(Instant.now(), until);
        Duration during = left.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : left;
        await().during(during).atMost(during.plusSeconds(5))
                .until(() -> api(server).get("/v1/cluster/status").ok().path("nodes").path("up").asInt() == 3);
    }

    private void startServers() throws IOException {
        Map<String, String> peers = new LinkedHashMap<>();
        Map<String, Integer> apiPorts = new LinkedHashMap<>();
        for (String name : NAMES) {
            peers.put(name, "127.0.0.1:" + TestCluster.freePort());
            apiPorts.put(name, TestCluster.freePort());
            urls.put(name, "http://127.0.0.1:" + apiPorts.get(name));
        }
        for (String name : NAMES) {
            Path data = dir.resolve(name);
            RaftMembership raft = new RaftMembership(name, peers, data.resolve("raft"), RaftMembership.DEFAULT_SNAPSHOT_THRESHOLD);
            configs.put(name, new ServerConfig(raft, "127.0.0.1", apiPorts.get(name), data, null, null, false, 0));
            servers.put(name, new CapstanServer(configs.get(name)).start());
        }
    }

    /** Ratis's gRPC port listens on the host of --raft-address only, not on every interface. */
    private void assertRaftPortsListenOnLoopbackOnly() throws Exception {
        for (String name : NAMES) {
            String port = servers.get(name).store().members().stream().filter(m -> m.self()).findFirst().orElseThrow()
                    .raftAddress().split(":")[1];
            Process ss = new ProcessBuilder("ss", "-Hltn", "sport = :" + port).redirectErrorStream(true).start();
            String listening = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            ss.waitFor();
            assertThat(listening).as("listeners on Raft port " + port).isNotEmpty();
            // 127.0.0.1:P, or [::ffff:127.0.0.1]:P on a dual-stack socket; never *:P or [::]:P.
            assertThat(listening.lines()).allSatisfy(l -> assertThat(l).containsPattern("\\s(\\[::ffff:)?127\\.0\\.0\\.1]?:" + port + "\\s"));
        }
    }

    /** Agent i talks first to server i, then to the others. */
    private void startAgents() throws IOException {
        int first = 20000 + (int) (ProcessHandle.current().pid() % 90) * 100;
        for (int i = 1; i <= 3; i++) {
            List<URI> order = new ArrayList<>();
            for (int k = 0; k < NAMES.size(); k++) {
                order.add(URI.create(urls.get(NAMES.get((i - 1 + k) % NAMES.size()))));
            }
            NodeAgent agent = new NodeAgent(AgentConfig.builder("node-" + i, dir.resolve("node-" + i))
                    .servers(order)
                    .faultDomain("fd:/rack" + i)
                    .upgradeDomain("UD" + i)
                    .capacities(Map.of("cpu", 4.0, "memoryMiB", 4096.0))
                    .endpointPorts(new PortRange(first + (i - 1) * 30, first + i * 30 - 1))
                    .build());
            agents.add(agent);
            agent.start();
        }
    }

    /** Waits until the live servers agree on a leader (none of {@code not}) and returns it. */
    private String awaitLeader(Set<String> not) {
        return await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            Set<String> named = servers.keySet().stream()
                    .map(s -> api(s).get("/v1/cluster/status").ok().path("leader").asText(null))
                    .collect(Collectors.toSet());
            String leader = named.size() == 1 ? named.iterator().next() : null;
            return leader != null && !not.contains(leader) && api(leader).get("/v1/cluster/status").ok()
                    .path("servers").findValues("apiUrl").stream().noneMatch(JsonNode::isNull) ? leader : null;
        }, l -> l != null);
    }

    /** Every workload process of the cluster by pid, with its node. */
    private Map<Long, String> workloads() {
        Map<Long, String> out = new java.util.TreeMap<>();
        for (String url : urls.values()) {
            NodeProcesses.of(url).forEach(w -> out.put(w.pid(), w.node()));
        }
        return out;
    }

    private static int status(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private List<String> eventKinds(String server) {
        return StreamSupport.stream(api(server).get("/v1/events").ok().path("items").spliterator(), false)
                .map(e -> e.path("kind").asText()).toList();
    }

    private ClusterApi api(String server) {
        return new ClusterApi(urls.get(server));
    }
}
