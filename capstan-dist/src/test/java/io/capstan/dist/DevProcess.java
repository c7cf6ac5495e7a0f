package io.capstan.dist;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A whole dev cluster (server and three agents) as one separate OS process on fixed ports, so a test can SIGKILL it
 * and start it again on the same data directory.
 */
record DevProcess(Path logs, Path data, int apiPort, int raftPort, int firstEndpointPort) {

    /** Fresh free ports, and an endpoint port slice per test JVM. */
    static DevProcess onFreePorts(Path logs, Path data, int endpointBase) throws IOException {
        return new DevProcess(logs, data, TestCluster.freePort(), TestCluster.freePort(),
                endpointBase + (int) (ProcessHandle.current().pid() % 80) * 100);
    }

    String api() {
        return "http://127.0.0.1:" + apiPort;
    }

    /** Starts it and returns once all three nodes are Up. */
    Process start() throws IOException {
        Process p = CapstanProcess.start(logs.resolve("dev-" + System.nanoTime() + ".log"), "dev", "--nodes", "3",
                "--data", data.toString(), "--api-port", Integer.toString(apiPort), "--raft-port", Integer.toString(raftPort),
                "--endpoint-ports", firstEndpointPort + "-" + (firstEndpointPort + 98), "--node-cpu", "4",
                "--node-memory", "4096");
        ClusterApi client = new ClusterApi(api());
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> client.get("/v1/cluster/status").ok().path("nodes").path("up").asInt() == 3);
        return p;
    }
}
