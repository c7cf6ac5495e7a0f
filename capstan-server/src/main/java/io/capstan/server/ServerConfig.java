package io.capstan.server;

import io.capstan.state.ratis.RaftMembership;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How one control-plane server runs: its Raft membership, where its API listens, and where it keeps
 * data (the Raft log and snapshots under {@code raft/}, application packages under {@code packages/}).
 */
public record ServerConfig(RaftMembership raft, String apiHost, int apiPort, Path dataDir, Duration requestTimeout) {

    public static final int DEFAULT_API_PORT = 19080;
    public static final int DEFAULT_RAFT_PORT = 19082;

    /** A one-server control plane: the embedded default of {@code capstan dev} and {@code capstan server}. */
    public static ServerConfig single(String name, String raftAddress, int apiPort, Path dataDir) {
        return new ServerConfig(RaftMembership.single(name, raftAddress, dataDir.resolve("raft")), "127.0.0.1", apiPort,
                dataDir, Duration.ofSeconds(30));
    }

    public String apiUrl(int boundPort) {
        return "http://" + apiHost + ":" + boundPort;
    }
}
