package io.capstan.dist;

import io.capstan.agent.PortRange;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;

/** A dev cluster on free ports in a temporary directory, for integration tests. */
final class TestCluster implements AutoCloseable {

    final DevCluster cluster;
    final ClusterApi api;

    TestCluster(Path dir, int nodes) throws IOException {
        this(dir, nodes, false);
    }

    /** With {@code gateway}, the cluster runs the gateway too, on a free port. */
    TestCluster(Path dir, int nodes, boolean gateway) throws IOException {
        int apiPort = freePort();
        int raftPort = freePort();
        // A port slice per test run keeps concurrent test JVMs from competing for endpoint ports.
        int first = 20000 + (int) (ProcessHandle.current().pid() % 90) * 100;
        cluster = new DevCluster(new DevCluster.Settings(nodes, dir, apiPort, raftPort,
                Map.of("cpu", 4.0, "memoryMiB", 4096.0), new PortRange(first, first + 99), null, false)).withGateway(gateway ? 0 : -1).start();
        api = new ClusterApi(cluster.apiUrl());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Path examples(String name) {
        return Path.of("..", "examples", name).toAbsolutePath().normalize();
    }

    @Override
    public void close() {
        cluster.close();
    }
}
