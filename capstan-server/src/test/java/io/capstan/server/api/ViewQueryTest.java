package io.capstan.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.server.CapstanServer;
import io.capstan.server.ServerConfig;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterStore;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blocking queries on one view of the state, against a real Raft-backed store. */
class ViewQueryTest {

    private CapstanServer server;
    private ClusterStore store;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        int raftPort;
        try (ServerSocket s = new ServerSocket(0)) {
            raftPort = s.getLocalPort();
        }
        server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + raftPort, 0, dir)
                .withNodeDownAfter(Duration.ofHours(1))).start();
        store = server.store();
        await().atMost(Duration.ofSeconds(20)).until(store::isLeader);
        register("node-1");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void register(String node) throws Exception {
        assertThat(store.submit(new ClusterCommand.RegisterNode(new NodeDescription(node, "127.0.0.1", "fd:/" + node, "UD0",
                Map.of(), Map.of()), Instant.now())).get().applied()).isTrue();
    }

    private ViewQuery<NodeStatus> node1Status() {
        return new ViewQuery<>(store, s -> s.nodes().get("node-1").status(), v -> v);
    }

    @Test
    void aCommitThatLeavesTheViewAloneDoesNotEndTheWait() throws Exception {
        ViewQuery<NodeStatus> query = node1Status();
        long startIndex = query.index();
        register("node-2"); // committed after the query started, and of no concern to it
        Instant t0 = Instant.now();

        NodeStatus answer = query.awaitChange(Duration.ofMillis(500), Clock.systemUTC());

        assertThat(answer).isEqualTo(NodeStatus.Up);
        assertThat(Duration.between(t0, Instant.now())).as("waited the whole time").isGreaterThanOrEqualTo(Duration.ofMillis(500));
        assertThat(query.index()).as("answers at the newer index, so the client moves on").isGreaterThan(startIndex);
    }

    @Test
    void aCommitThatChangesTheViewEndsTheWaitWithTheNewView() throws Exception {
        ViewQuery<NodeStatus> query = node1Status();
        assertThat(store.submit(new ClusterCommand.SetNodeStatus("node-1", NodeStatus.Down, "test", Instant.now())).get()
                .applied()).isTrue();

        assertThat(query.awaitChange(Duration.ofMinutes(1), Clock.systemUTC())).isEqualTo(NodeStatus.Down);
    }

    @Test
    void aClientBehindTheStateIsAnsweredAtOnce() throws Exception {
        long seen = store.snapshot().index();
        register("node-2");
        assertThat(node1Status().newerThan(seen)).isTrue();
        assertThat(node1Status().newerThan(store.snapshot().index())).isFalse();
    }
}
