package io.capstan.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.model.cluster.NodeDescription;
import io.capstan.state.ratis.RaftMembership;
import io.capstan.state.ratis.RatisClusterStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group of three real Ratis servers on 127.0.0.1: leadership is reported only once the leader is ready (its state
 * holds everything committed before), writes through a follower commit, and a read through another follower sees
 * them at once (ReadIndex).
 */
class ThreeServerStoreTest {

    @TempDir
    Path dir;

    private final Map<String, RatisClusterStore> stores = new LinkedHashMap<>();
    /** Each "became leader" callback: which server, whether it was ready then, and the nodes its state held. */
    private final List<Became> became = new CopyOnWriteArrayList<>();

    private record Became(String server, boolean ready, int nodes) {
    }

    @AfterEach
    void close() {
        stores.values().forEach(RatisClusterStore::close);
    }

    @Test
    void leadershipStartsWhenTheLeaderIsReadyAndFollowersWriteAndReadLinearizably() throws Exception {
        Map<String, String> peers = new LinkedHashMap<>();
        for (String name : List.of("s1", "s2", "s3")) {
            peers.put(name, "127.0.0.1:" + freePort());
        }
        for (String name : peers.keySet()) {
            RatisClusterStore store = RatisClusterStore.start(new RaftMembership(name, peers, dir.resolve(name),
                    RaftMembership.DEFAULT_SNAPSHOT_THRESHOLD));
            stores.put(name, store);
            store.onLeadershipChange(leader -> {
                if (leader) {
                    became.add(new Became(name, store.isLeader(), store.snapshot().nodes().size()));
                }
            });
        }
        String leader = awaitLeader(List.of());
        List<String> followers = stores.keySet().stream().filter(n -> !n.equals(leader)).toList();

        CommandResult written = stores.get(followers.get(0)).submit(new ClusterCommand.RegisterNode(node("n1"), Instant.EPOCH))
                .get(10, TimeUnit.SECONDS);
        assertThat(written.applied()).as("a write through a follower").isTrue();
        ClusterSnapshot read = stores.get(followers.get(1)).readIndexSnapshot().get(10, TimeUnit.SECONDS);
        assertThat(read.index()).isGreaterThanOrEqualTo(written.index());
        assertThat(read.nodes()).containsKey("n1");

        stores.remove(leader).close();
        String next = awaitLeader(List.of(leader));
        assertThat(stores.get(next).submit(new ClusterCommand.RegisterNode(node("n2"), Instant.EPOCH))
                .get(10, TimeUnit.SECONDS).applied()).isTrue();

        assertThat(became).extracting(Became::server).contains(leader, next);
        assertThat(became).as("told only once ready").allSatisfy(b -> assertThat(b.ready()).isTrue());
        assertThat(became).filteredOn(b -> b.server().equals(next))
                .as("the new leader's state already held the write committed under the old one")
                .allSatisfy(b -> assertThat(b.nodes()).isGreaterThanOrEqualTo(1));
    }

    private String awaitLeader(List<String> not) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> stores.entrySet().stream()
                .filter(e -> e.getValue().isLeader() && !not.contains(e.getKey())).map(Map.Entry::getKey)
                .findFirst().orElse(null), l -> l != null);
    }

    private static NodeDescription node(String name) {
        return new NodeDescription(name, "127.0.0.1", "fd:/rack1", "UD0", Map.of("cpu", 2.0), Map.of());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
