package io.capstan.state.ratis;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who this server is in the Raft group and where it keeps its log: {@code peers} maps every
 * member's id to its Raft address (host:port) and includes this server; one entry is a one-server group.
 * {@code joining}: this server is new to a running group (its other {@code peers}): it starts with no configuration
 * of its own and waits to be added (`capstan cluster members add`), so it cannot start elections of its own.
 */
public record RaftMembership(String serverId, Map<String, String> peers, Path storageDir, long snapshotThreshold,
                             LogRetention logRetention, boolean joining) {

    public static final long DEFAULT_SNAPSHOT_THRESHOLD = 10_000;

    public RaftMembership {
        peers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(peers));
        if (!peers.containsKey(serverId)) {
            throw new IllegalArgumentException("--peers must include this server '" + serverId + "'; got " + peers.keySet());
        }
        logRetention = logRetention == null ? LogRetention.DEFAULT : logRetention;
    }

    /** A founding member with the default log retention. */
    public RaftMembership(String serverId, Map<String, String> peers, Path storageDir, long snapshotThreshold) {
        this(serverId, peers, storageDir, snapshotThreshold, LogRetention.DEFAULT, false);
    }

    /** A founding member. */
    public RaftMembership(String serverId, Map<String, String> peers, Path storageDir, long snapshotThreshold,
                          LogRetention logRetention) {
        this(serverId, peers, storageDir, snapshotThreshold, logRetention, false);
    }

    /** The same server, new to the running group of its other peers. */
    public RaftMembership joiningTheGroup() {
        return new RaftMembership(serverId, peers, storageDir, snapshotThreshold, logRetention, true);
    }

    /**
     * How much log a server keeps behind its latest snapshot: closed segments of at most {@code segmentBytes} are
     * purged once the snapshot passes them by {@code purgeGap} entries. A follower that lags further behind is sent
     * the leader's snapshot instead of the log.
     */
    public record LogRetention(long segmentBytes, int purgeGap) {
        /** 64 MiB segments, purged 1,024 entries behind the snapshot (Ratis's gap). */
        public static final LogRetention DEFAULT = new LogRetention(64L * 1024 * 1024, 1024);
    }

    /** A one-server group: the embedded default. */
    public static RaftMembership single(String serverId, String raftAddress, Path storageDir) {
        return new RaftMembership(serverId, Map.of(serverId, raftAddress), storageDir, DEFAULT_SNAPSHOT_THRESHOLD);
    }

    public String raftAddress() {
        return peers.get(serverId);
    }

    /** Parses {@code s1=host:port,s2=host:port}. */
    public static Map<String, String> parsePeers(String text) {
        Map<String, String> peers = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq <= 0 || p.indexOf(':', eq) < 0) {
                throw new IllegalArgumentException("--peers entry '" + p + "' must look like s1=127.0.0.1:19082");
            }
            peers.put(p.substring(0, eq), p.substring(eq + 1));
        }
        return peers;
    }
}
