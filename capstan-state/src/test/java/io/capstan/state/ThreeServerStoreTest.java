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

    @Test
    void aFollowerThatWasDownWhileTheLogWasPurgedCatchesUpFromAnInstalledSnapshot() throws Exception {
        Map<String, String> peers = new LinkedHashMap<>();
        for (String name : List.of("s1", "s2", "s3")) {
            peers.put(name, "127.0.0.1:" + freePort());
        }
        // Small segments, a small purge gap and a small snapshot threshold: the leader snapshots and purges the very log
        // the follower would need, so it can only catch up from an installed snapshot.
        java.util.function.Function<String, RaftMembership> membership = name -> new RaftMembership(name, peers,
                dir.resolve(name), 20, new RaftMembership.LogRetention(8L * 1024 * 1024, 10));
        for (String name : peers.keySet()) {
            stores.put(name, RatisClusterStore.start(membership.apply(name)));
        }
        String leader = awaitLeader(List.of());
        String away = stores.keySet().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        stores.get(away).submit(new ClusterCommand.RegisterNode(node("before"), Instant.EPOCH)).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> stores.get(away).snapshot().nodes().containsKey("before"));
        stores.remove(away).close();

        // 240 nodes with 60 KB of properties each: 14 MB of log, two closed segments and more.
        Map<String, String> bulk = new LinkedHashMap<>();
        for (int k = 0; k < 60; k++) {
            bulk.put("p" + k, "x".repeat(1_000));
        }
        for (int i = 0; i < 240; i++) {
            assertThat(stores.get(leader).submit(new ClusterCommand.RegisterNode(new NodeDescription("n" + i, "127.0.0.1",
                    "fd:/rack1", "UD0", Map.of("cpu", 2.0), bulk), Instant.EPOCH)).get(10, TimeUnit.SECONDS).applied()).isTrue();
        }
        ClusterStore.SnapshotTaken taken = stores.get(leader).takeSnapshot();
        for (String other : stores.keySet()) {
            stores.get(other).takeSnapshot();
        }
        // Writing on triggers the purge of the segments before the snapshot.
        stores.get(leader).submit(new ClusterCommand.RegisterNode(node("n-last"), Instant.EPOCH)).get(10, TimeUnit.SECONDS);
        Path leaderLog = dir.resolve(leader);
        await().atMost(Duration.ofSeconds(20)).until(() -> !logHasEntryAt(leaderLog, 5));

        RatisClusterStore back = RatisClusterStore.start(membership.apply(away));
        stores.put(away, back);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(back.snapshot().nodes()).as("state installed from the leader's snapshot, then the log after it")
                    .containsKeys("before", "n0", "n239", "n-last");
            assertThat(back.snapshot().index()).isGreaterThanOrEqualTo(taken.index());
        });
        // It goes on applying new entries after the installed snapshot.
        stores.get(leader).submit(new ClusterCommand.RegisterNode(node("after"), Instant.EPOCH)).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> back.snapshot().nodes().containsKey("after"));
    }

    @Test
    void aServerJoinsTheRunningGroupAndAnotherLeavesItWhileWritesGoOn() throws Exception {
        Map<String, String> peers = new LinkedHashMap<>();
        for (String name : List.of("s1", "s2", "s3")) {
            peers.put(name, "127.0.0.1:" + freePort());
        }
        for (String name : peers.keySet()) {
            stores.put(name, RatisClusterStore.start(new RaftMembership(name, peers, dir.resolve(name),
                    RaftMembership.DEFAULT_SNAPSHOT_THRESHOLD)));
        }
        String leader = awaitLeader(List.of());
        stores.get(leader).submit(new ClusterCommand.RegisterNode(node("n1"), Instant.EPOCH)).get(10, TimeUnit.SECONDS);

        Map<String, String> withS4 = new LinkedHashMap<>(peers);
        withS4.put("s4", "127.0.0.1:" + freePort());
        RatisClusterStore s4 = RatisClusterStore.start(new RaftMembership("s4", withS4, dir.resolve("s4"),
                RaftMembership.DEFAULT_SNAPSHOT_THRESHOLD).joiningTheGroup());
        stores.put("s4", s4);
        stores.get(leader).setMembers(withS4);
        await().atMost(Duration.ofSeconds(20)).until(() -> s4.snapshot().nodes().containsKey("n1"));
        assertThat(stores.get(leader).members()).extracting(ClusterStore.ServerMember::id).containsExactly("s1", "s2", "s3", "s4");

        String leaving = peers.keySet().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        Map<String, String> without = new LinkedHashMap<>(withS4);
        without.remove(leaving);
        stores.get(leader).setMembers(without);
        stores.remove(leaving).close();
        assertThat(stores.get(leader).submit(new ClusterCommand.RegisterNode(node("n2"), Instant.EPOCH))
                .get(10, TimeUnit.SECONDS).applied()).as("a majority of the three left commits").isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> s4.snapshot().nodes().containsKey("n2"));
        assertThat(s4.members()).extracting(ClusterStore.ServerMember::id).doesNotContain(leaving).hasSize(3);
    }

    /** Whether a log segment in {@code storage} still holds entry {@code index} (file names say their index range). */
    private static boolean logHasEntryAt(Path storage, long index) throws IOException {
        try (var files = java.nio.file.Files.walk(storage)) {
            return files.map(f -> f.getFileName().toString()).anyMatch(name -> {
                var m = java.util.regex.Pattern.compile("log_(\\d+)-(\\d+)").matcher(name);
                var open = java.util.regex.Pattern.compile("log_inprogress_(\\d+)").matcher(name);
                return m.matches() ? Long.parseLong(m.group(1)) <= index && index <= Long.parseLong(m.group(2))
                        : open.matches() && Long.parseLong(open.group(1)) <= index;
            });
        }
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
