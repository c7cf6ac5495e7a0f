package io.capstan.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.state.ratis.RaftMembership;
import io.capstan.state.ratis.RatisClusterStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RatisClusterStoreTest {

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static NodeDescription node(String name) {
        return new NodeDescription(name, "127.0.0.1", "fd:/rack1", "UD0", Map.of("cpu", 2.0), Map.of());
    }

    private RatisClusterStore start(int port, long snapshotThreshold) {
        RatisClusterStore store = RatisClusterStore.start(new RaftMembership("s1", Map.of("s1", "127.0.0.1:" + port),
                dir, snapshotThreshold));
        await().atMost(Duration.ofSeconds(20)).until(store::isLeader);
        return store;
    }

    @Test
    void committedCommandsSurviveARestartOnTheSameDirectory() throws Exception {
        int port = freePort();
        try (RatisClusterStore store = start(port, RaftMembership.DEFAULT_SNAPSHOT_THRESHOLD)) {
            CommandResult r = store.submit(new ClusterCommand.RegisterNode(node("n1"), Instant.EPOCH)).get();
            assertThat(r.applied()).isTrue();
            assertThat(store.snapshot().nodes()).containsKey("n1");
        }
        try (RatisClusterStore store = start(port, RaftMembership.DEFAULT_SNAPSHOT_THRESHOLD)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> store.snapshot().nodes().containsKey("n1"));
            assertThat(store.snapshot().nodes().get("n1").status()).isEqualTo(NodeStatus.Up);
        }
    }

    @Test
    void aSnapshotPlusTheLogTailRestoresEveryCommand() throws Exception {
        int port = freePort();
        try (RatisClusterStore store = start(port, 5)) {
            for (int i = 0; i < 12; i++) {
                assertThat(store.submit(new ClusterCommand.RegisterNode(node("n" + i), Instant.EPOCH)).get().applied()).isTrue();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> snapshotFiles() > 0);
        }
        try (RatisClusterStore store = start(port, 5)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> store.snapshot().nodes().size() == 12);
        }
    }

    @Test
    void aRejectedCommandChangesNothingAndSaysWhy() throws Exception {
        try (RatisClusterStore store = start(freePort(), RaftMembership.DEFAULT_SNAPSHOT_THRESHOLD)) {
            ClusterSnapshot before = store.snapshot();
            CommandResult r = store.submit(new ClusterCommand.DeleteApplication("Nope", Instant.EPOCH)).get();
            assertThat(r.applied()).isFalse();
            assertThat(r.code()).isEqualTo(Rejection.Code.NOT_FOUND);
            assertThat(r.message()).contains("application Nope does not exist");
            assertThat(store.snapshot().applications()).isEqualTo(before.applications());
        }
    }

    @Test
    void aBlockingReadReturnsWhenTheIndexAdvances() throws Exception {
        try (RatisClusterStore store = start(freePort(), RaftMembership.DEFAULT_SNAPSHOT_THRESHOLD)) {
            long index = store.snapshot().index();
            var waiter = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return store.awaitAfter(index, Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            store.submit(new ClusterCommand.RegisterNode(node("late"), Instant.EPOCH)).get();
            assertThat(waiter.get().nodes()).containsKey("late");
        }
    }

    @Test
    void aRestartFromASnapshotWithThePurgedLogRestoresExactlyTheStateThatWasSnapshotted() throws Exception {
        int port = freePort();
        StateCodec codec = new StateCodec();
        byte[] before;
        long index;
        try (RatisClusterStore store = start(port, 5)) {
            for (int i = 0; i < 23; i++) {
                assertThat(store.submit(new ClusterCommand.RegisterNode(node("n" + i % 7), Instant.EPOCH.plusSeconds(i))).get().applied()).isTrue();
                if (i % 4 == 0) {
                    store.submit(new ClusterCommand.SetNodeStatus("n" + i % 7, NodeStatus.Down, "test", Instant.EPOCH)).get();
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> snapshotFiles() > 0 && !logSegmentsFrom(0));
            index = store.snapshot().index();
            before = codec.snapshotBytes(ClusterState.persisted(store.snapshot()));
        }
        try (RatisClusterStore store = start(port, 5)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> store.snapshot().index() >= index);
            assertThat(codec.snapshotBytes(ClusterState.persisted(store.snapshot()))).isEqualTo(before);
        }
    }

    @Test
    void aCommandTheLeaderRefusesIsNeverAppended() throws Exception {
        try (RatisClusterStore store = start(freePort(), RaftMembership.DEFAULT_SNAPSHOT_THRESHOLD)) {
            store.submit(new ClusterCommand.RegisterNode(node("n1"), Instant.EPOCH)).get();
            long index = store.snapshot().index();
            CommandResult r = store.submit(new ClusterCommand.SetNodeStatus("ghost", NodeStatus.Down, "x", Instant.EPOCH)).get();
            assertThat(r.applied()).isFalse();
            assertThat(r.code()).isEqualTo(Rejection.Code.NOT_FOUND);
            assertThat(r.index()).as("refused before it got a log index").isZero();
            assertThat(store.snapshot().index()).isEqualTo(index);
            assertThat(store.snapshot().events()).noneMatch(e -> e.entity().equals("ghost"));
        }
    }

    @Test
    void aWatchWakesForWhatItWatchesAndNotForOtherCommits() throws Exception {
        try (RatisClusterStore store = start(freePort(), RaftMembership.DEFAULT_SNAPSHOT_THRESHOLD)) {
            store.submit(new ClusterCommand.RegisterNode(node("n1"), Instant.EPOCH)).get();
            long index = store.snapshot().index();
            var waiter = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return store.awaitChange(new Watch.Node("n1"), index, Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            store.submit(new ClusterCommand.RegisterNode(node("n2"), Instant.EPOCH)).get();
            store.submit(new ClusterCommand.RegisterNode(node("n3"), Instant.EPOCH)).get();
            assertThat(waiter).isNotDone();
            store.submit(new ClusterCommand.SetNodeStatus("n1", NodeStatus.Down, "test", Instant.EPOCH)).get();
            assertThat(waiter.get(10, java.util.concurrent.TimeUnit.SECONDS).nodes().get("n1").status()).isEqualTo(NodeStatus.Down);
        }
    }

    /** Whether a log segment starting at {@code index} is still on disk. */
    private boolean logSegmentsFrom(long index) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().startsWith("log_" + index + "-"));
        }
    }

    private long snapshotFiles() throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("snapshot.") && !p.toString().endsWith(".md5")).count();
        }
    }
}
