package io.capstan.server;

import io.capstan.state.ratis.RaftMembership;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How one control-plane server runs: its Raft membership, where its API listens, and where it keeps
 * data (the Raft log and snapshots under {@code raft/}, application packages under {@code packages/}).
 *
 * @param nodeDownAfter how long a node may go without a heartbeat before the leader marks it Down
 * @param eventLog      print every cluster event as a JSON line on standard output
 * @param access        whether the API requires tokens, and the secret servers send each other
 */
public record ServerConfig(RaftMembership raft, String apiHost, int apiPort, Path dataDir, Duration requestTimeout,
                           Duration nodeDownAfter, boolean eventLog, long maxRequestBytes, AccessSettings access) {

    /**
     * {@code --acl}: every API call needs a token. Servers of a group of several authenticate to each other on their
     * internal routes with {@code clusterSecret}, the same on every server (given by file, never on a command line).
     */
    public record AccessSettings(boolean required, String clusterSecret) {
        public static final AccessSettings OFF = new AccessSettings(false, null);

        @Override
        public String toString() {
            return "AccessSettings[required=" + required + ", clusterSecret=" + (clusterSecret == null ? "none" : "(hidden)") + "]";
        }
    }

    public ServerConfig(RaftMembership raft, String apiHost, int apiPort, Path dataDir, Duration requestTimeout,
                        Duration nodeDownAfter, boolean eventLog, long maxRequestBytes) {
        this(raft, apiHost, apiPort, dataDir, requestTimeout, nodeDownAfter, eventLog, maxRequestBytes, AccessSettings.OFF);
    }

    /**
     * The largest request body by default, an application package upload being the largest: uploads are streamed
     * to disk while hashed and checked in constant memory, so this bounds disk, not heap.
     */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 4L * 1024 * 1024 * 1024;

    public static final int DEFAULT_API_PORT = 19080;
    public static final int DEFAULT_RAFT_PORT = 19082;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Three missed one-second heartbeats: failover in seconds (Kubernetes waits 5 minutes, Nomad 10s+),
     * yet a garbage-collection pause or a briefly restarting agent does not move everything.
     */
    public static final Duration DEFAULT_NODE_DOWN_AFTER = Duration.ofSeconds(3);

    public ServerConfig {
        requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
        nodeDownAfter = nodeDownAfter == null ? DEFAULT_NODE_DOWN_AFTER : nodeDownAfter;
        maxRequestBytes = maxRequestBytes <= 0 ? DEFAULT_MAX_REQUEST_BYTES : maxRequestBytes;
        access = access == null ? AccessSettings.OFF : access;
        if (access.required() && access.clusterSecret() == null && raft.peers().size() > 1) {
            throw new IllegalArgumentException("--acl with several servers needs --cluster-secret-file: the same secret on"
                    + " every server, with which they copy packages to each other");
        }
        if (nodeDownAfter.toMillis() < 100) {
            throw new IllegalArgumentException("nodeDownAfter must be at least 100ms, was " + nodeDownAfter);
        }
    }

    /** A one-server control plane: the embedded default of {@code capstan dev} and {@code capstan server}. */
    public static ServerConfig single(String name, String raftAddress, int apiPort, Path dataDir) {
        return new ServerConfig(RaftMembership.single(name, raftAddress, dataDir.resolve("raft")), "127.0.0.1", apiPort,
                dataDir, null, null, false, 0);
    }

    public ServerConfig withNodeDownAfter(Duration value) {
        return new ServerConfig(raft, apiHost, apiPort, dataDir, requestTimeout, value, eventLog, maxRequestBytes, access);
    }

    public ServerConfig withEventLog(boolean value) {
        return new ServerConfig(raft, apiHost, apiPort, dataDir, requestTimeout, nodeDownAfter, value, maxRequestBytes, access);
    }

    public ServerConfig withMaxRequestBytes(long value) {
        return new ServerConfig(raft, apiHost, apiPort, dataDir, requestTimeout, nodeDownAfter, eventLog, value, access);
    }

    public ServerConfig withAccess(AccessSettings value) {
        return new ServerConfig(raft, apiHost, apiPort, dataDir, requestTimeout, nodeDownAfter, eventLog, maxRequestBytes, value);
    }

    public String apiUrl(int boundPort) {
        return "http://" + apiHost + ":" + boundPort;
    }
}
