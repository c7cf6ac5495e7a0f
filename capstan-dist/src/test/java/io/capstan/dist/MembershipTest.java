package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.server.CapstanServer;
import io.capstan.server.ServerConfig;
import io.capstan.state.ratis.RaftMembership;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership of the control plane changed at run time through the REST API, on three real servers: a fourth started
 * with --join is added, catches up and serves reads; the leader is removed and another takes over; bad requests are
 * refused with the reason and change nothing.
 */
class MembershipTest {

    @TempDir
    Path dir;

    private final Map<String, CapstanServer> servers = new LinkedHashMap<>();

    @AfterEach
    void stop() {
        servers.values().forEach(CapstanServer::close);
    }

    @Test
    void aServerJoinsAndTheLeaderLeavesThroughTheApi() throws Exception {
        Map<String, String> peers = new LinkedHashMap<>();
        for (String name : List.of("s1", "s2", "s3")) {
            peers.put(name, "127.0.0.1:" + TestCluster.freePort());
        }
        for (String name : peers.keySet()) {
            start(new RaftMembership(name, peers, dir.resolve(name).resolve("raft"), RaftMembership.DEFAULT_SNAPSHOT_THRESHOLD));
        }
        ClusterApi s1 = new ClusterApi(servers.get("s1").apiUrl());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> s1.get("/v1/cluster/status").ok().path("leader").isTextual());
        String leader = s1.get("/v1/cluster/status").ok().path("leader").asText();

        Map<String, String> withS4 = new LinkedHashMap<>(peers);
        withS4.put("s4", "127.0.0.1:" + TestCluster.freePort());
        start(new RaftMembership("s4", withS4, dir.resolve("s4").resolve("raft"), RaftMembership.DEFAULT_SNAPSHOT_THRESHOLD)
                .joiningTheGroup());
        ClusterApi s4 = new ClusterApi(servers.get("s4").apiUrl());

        ClusterApi.Reply badAddress = s1.post("/v1/cluster/members", Map.of("id", "s5", "raftAddress", "nowhere"));
        assertThat(badAddress.status()).isEqualTo(400);
        assertThat(badAddress.body().toString()).contains("raftAddress", "host:port");
        ClusterApi.Reply again = s1.post("/v1/cluster/members", Map.of("id", "s2", "raftAddress", peers.get("s2")));
        assertThat(again.status()).isEqualTo(409);

        JsonNode added = s1.post("/v1/cluster/members", Map.of("id", "s4", "raftAddress", withS4.get("s4"))).ok();
        assertThat(added.path("items")).extracting(m -> m.path("id").asText()).containsExactly("s1", "s2", "s3", "s4");
        // The new server has the group's state and answers linearizable reads.
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() ->
                assertThat(s4.get("/v1/cluster/members").ok().path("items")).hasSize(4));

        ClusterApi.Reply unknown = s1.delete("/v1/cluster/members/s9");
        assertThat(unknown.status()).isEqualTo(404);
        ClusterApi other = new ClusterApi(servers.get(peers.keySet().stream().filter(n -> !n.equals(leader)).findFirst()
                .orElseThrow()).apiUrl());
        JsonNode removed = other.delete("/v1/cluster/members/" + leader).ok();
        assertThat(removed.path("items")).extracting(m -> m.path("id").asText()).doesNotContain(leader).hasSize(3);
        servers.remove(leader).close();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            JsonNode status = s4.get("/v1/cluster/status").ok();
            return status.path("leader").isTextual() && !status.path("leader").asText().equals(leader);
        });
        // The group without the old leader commits writes, and the new member reads them.
        s4.post("/v1/health/reports", Map.of("entity", "cluster", "sourceId", "Watchdog", "property", "Membership",
                "healthState", "Ok", "description", "s4 joined")).ok();
        assertThat(s4.get("/v1/health?entity=cluster").ok().toString()).contains("s4 joined");
    }

    private void start(RaftMembership raft) {
        Path data = raft.storageDir().getParent();
        servers.put(raft.serverId(), new CapstanServer(new ServerConfig(raft, "127.0.0.1", 0, data, null, null, false, 0)).start());
    }
}
