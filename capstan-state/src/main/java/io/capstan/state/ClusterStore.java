package io.capstan.state;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The replicated cluster state as the rest of the server sees it: submit commands, read snapshots,
 * block for changes, and know who leads. Implemented on Apache Ratis.
 */
public interface ClusterStore extends AutoCloseable {

    /**
     * Appends the command to the replicated log (through the leader) and completes when it is applied. A command
     * the leader refuses before appending completes as rejected, with index 0.
     */
    CompletableFuture<CommandResult> submit(ClusterCommand command);

    /**
     * As {@link #submit}, for a controller's bulk work (the parts of a large placement plan): it gives way to the
     * commands submitted through {@link #submit} that are still in flight, for at most {@code maxYield}, so an
     * operator's write waits behind a few parts, never behind a whole plan.
     */
    CompletableFuture<CommandResult> submitInBackground(ClusterCommand command, Duration maxYield) throws InterruptedException;

    /** The latest state this server has applied (a stale read on a follower). */
    ClusterSnapshot snapshot();

    /**
     * A linearizable read: the state once this server has applied everything the leader had committed when the
     * read began (Raft's ReadIndex, asked of the leader by a follower). Fails when no leader answers.
     */
    CompletableFuture<ClusterSnapshot> readIndexSnapshot();

    /** Blocks until the state index passes {@code afterIndex}, or {@code wait} elapses; returns the state then. */
    ClusterSnapshot awaitAfter(long afterIndex, Duration wait) throws InterruptedException;

    /**
     * Blocks until what {@code watch} names changes after {@code afterIndex} (its modify index passes it), or
     * {@code wait} elapses; commits that change other things do not wake the caller. Returns the state then.
     */
    ClusterSnapshot awaitChange(Watch watch, long afterIndex, Duration wait) throws InterruptedException;

    /** The largest encoded command {@link #submit} accepts; larger changes must be split into several commands. */
    int maxCommandBytes();

    /** Registers a callback told why, when this server met a log entry it cannot apply and must stop. */
    void onFatal(java.util.function.Consumer<String> listener);

    /**
     * Writes a snapshot of the state now (the log before it may then be purged); returns where it stands. Also
     * taken by itself every {@code snapshotThreshold} entries.
     */
    SnapshotTaken takeSnapshot();

    /** A snapshot just written: its log index, its size on disk and how long writing it took. */
    record SnapshotTaken(long index, long bytes, long millis) {
    }

    /**
     * Whether this server leads the Raft group and is ready: its first entry of the term is applied, so its state
     * holds everything committed before it took over (and so it runs the controllers).
     */
    boolean isLeader();

    /** The servers of the group's current configuration, with their roles as this server sees them. */
    List<ServerMember> members();

    /**
     * Makes {@code peers} (id → Raft address) the voting members of the group, through Ratis's setConfiguration (joint
     * consensus); returns once the new configuration is committed. A new member must be running, started as joining.
     */
    void setMembers(java.util.Map<String, String> peers) throws java.io.IOException;

    /** Registers a callback told true when this server becomes a ready leader, false when it stops leading. */
    void onLeadershipChange(LeadershipListener listener);

    @Override
    void close();

    /** One server of the control plane. */
    record ServerMember(String id, String raftAddress, boolean leader, boolean self) {
    }

    /** Told when leadership moves to or away from this server. */
    @FunctionalInterface
    interface LeadershipListener {
        void leadershipChanged(boolean leader);
    }
}
