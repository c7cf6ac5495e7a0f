package io.capstan.state.ratis;

import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterState;
import io.capstan.state.ClusterStore;
import io.capstan.state.CommandRejectedException;
import io.capstan.state.CommandResult;
import io.capstan.state.Rejection;
import io.capstan.state.StateCodec;
import io.capstan.state.StateLimits;
import io.capstan.state.Watch;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine holding {@link ClusterState}. On the leader, {@code startTransaction} decodes and
 * checks each command against the newest state before it is appended, so the log holds only valid changes;
 * {@code applyTransaction} applies entries in order and publishes the next immutable version, waking only the
 * readers whose {@link Watch} changed. Applying never throws for a bad command (it becomes a rejection, the
 * same on every server); only an entry this version cannot understand stops the server, loudly.
 */
public final class CapstanStateMachine extends BaseStateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(CapstanStateMachine.class);

    private final StateCodec codec = new StateCodec();
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    private final ConcurrentHashMap<String, List<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();
    private final Consumer<Boolean> leadershipListener;
    private final Consumer<String> fatal;
    private ClusterState state = new ClusterState();
    private volatile ClusterSnapshot cached = state.snapshot();
    private volatile ClusterStore.SnapshotTaken lastSnapshot = new ClusterStore.SnapshotTaken(0, 0, 0);
    private final java.util.concurrent.ExecutorService snapshotWriter = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("capstan-snapshot-writer").daemon().unstarted(r));
    private CompletableFuture<ClusterStore.SnapshotTaken> writing;

    /**
     * @param leadershipListener told true when this server becomes a ready leader, false when it stops being it
     * @param fatal              told why when the log holds what this version cannot apply; the server must stop
     */
    public CapstanStateMachine(Consumer<Boolean> leadershipListener, Consumer<String> fatal) {
        this.leadershipListener = leadershipListener;
        this.fatal = fatal;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        loadSnapshot(storage.getLatestSnapshot());
        // Running from here on: Ratis pauses a running state machine before it installs a leader's snapshot.
        if (getLifeCycleState() == LifeCycle.State.NEW) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    /** Ratis installs a snapshot only into a PAUSED state machine (and checks it), so applying stops here first. */
    @Override
    public void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /**
     * Called, paused, after the leader installed its snapshot here (this follower lagged behind the purged log): the
     * new file is found by scanning the directory again (the cached latest snapshot is this server's own older one),
     * then applying resumes from it.
     */
    @Override
    public void reinitialize() throws IOException {
        loadSnapshot(storage.loadLatestSnapshot());
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    private void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        if (snapshot.getFile().getFileDigest() != null) {
            MD5FileUtil.verifySavedMD5(file, snapshot.getFile().getFileDigest());
        }
        TermIndex last = SimpleStateMachineStorage.getTermIndexFromSnapshotFile(file);
        long started = System.nanoTime();
        ClusterState.Persisted persisted;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file.toPath()), 1 << 16)) {
            persisted = codec.readSnapshot(in);
        } catch (StateCodec.Incompatible e) {
            throw new IOException("cannot load snapshot " + file + ": " + e.getMessage(), e);
        }
        long read = System.nanoTime();
        lock.lock();
        try {
            state = ClusterState.restore(persisted);
            updateLastAppliedTermIndex(last);
            lastSnapshot = new ClusterStore.SnapshotTaken(last.getIndex(), file.length(), 0);
            publish(Set.of());
        } finally {
            lock.unlock();
        }
        LOG.info("loaded snapshot at index {} ({} services, {} replicas; {} bytes read in {} ms, indexes rebuilt in {} ms)",
                last.getIndex(), persisted.services().size(), persisted.replicas().size(), file.length(),
                (read - started) / 1_000_000, (System.nanoTime() - read) / 1_000_000);
    }

    /** On the leader, before the entry is appended: refuse what cannot be read or does not fit the newest state. */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        TransactionContext trx = super.startTransaction(request);
        try {
            ClusterCommand command = codec.decode(request.getMessage().getContent().toByteArray());
            Rejection rejection = ClusterState.check(cached, command, StateLimits.DEFAULT);
            if (rejection != null) {
                trx.setException(new CommandRejectedException(rejection));
            } else {
                trx.setStateMachineContext(command);
            }
        } catch (StateCodec.Incompatible | StateCodec.Malformed e) {
            trx.setException(new CommandRejectedException(Rejection.invalid(e.getMessage())));
        }
        return trx;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        ClusterCommand command = trx.getStateMachineContext() instanceof ClusterCommand c ? c : null;
        CommandResult result;
        lock.lock();
        try {
            if (command == null) {
                try {
                    command = codec.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
                } catch (StateCodec.Incompatible e) {
                    String why = "log entry " + entry.getIndex() + " cannot be applied: " + e.getMessage();
                    LOG.error("stopping: {}", why);
                    fatal.accept(why);
                    return CompletableFuture.failedFuture(new IllegalStateException(why, e));
                } catch (StateCodec.Malformed e) {
                    command = null;
                    LOG.warn("rejecting unreadable log entry {}: {}", entry.getIndex(), e.getMessage());
                }
            }
            result = command == null
                    ? rejectUnreadable(entry.getIndex())
                    : state.apply(entry.getIndex(), command);
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            publish(state.lastTouched());
        } finally {
            lock.unlock();
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(ResultCodec.encode(result))));
    }

    private CommandResult rejectUnreadable(long index) {
        state.apply(index, null); // advances the index, changes nothing
        return CommandResult.rejected(index, Rejection.invalid("the command could not be read"));
    }

    /** Must hold the lock: publishes the new version and wakes the readers that wait for what it changed. */
    private void publish(Set<String> touched) {
        cached = state.snapshot();
        advanced.signalAll();
        for (String key : touched) {
            List<CompletableFuture<Void>> woken = waiters.remove(key);
            if (woken != null) {
                woken.forEach(f -> f.complete(null));
            }
        }
    }

    /**
     * Called on Ratis's apply thread whenever enough entries went by: it starts writing the current version in
     * the background (unless a write is under way) and answers with the newest snapshot that is complete, so no
     * command waits while a large state is written, and Ratis purges the log only up to a durable snapshot. The
     * next call after the write finished hands Ratis the new one.
     */
    @Override
    public long takeSnapshot() {
        startSnapshot();
        return lastSnapshot.index();
    }

    /** A snapshot at least as new as the state applied now (for an operator's request); waits for it. */
    public ClusterStore.SnapshotTaken snapshotNow() {
        long wanted = getLastAppliedTermIndex().getIndex();
        while (true) {
            ClusterStore.SnapshotTaken taken = startSnapshot().join();
            if (taken.index() >= wanted) {
                return taken;
            }
        }
    }

    private synchronized CompletableFuture<ClusterStore.SnapshotTaken> startSnapshot() {
        if (writing != null && !writing.isDone()) {
            return writing;
        }
        ClusterSnapshot version;
        TermIndex last;
        lock.lock();
        try {
            version = cached;
            last = getLastAppliedTermIndex();
        } finally {
            lock.unlock();
        }
        if (last == null || last.getIndex() <= lastSnapshot.index()) {
            return CompletableFuture.completedFuture(lastSnapshot);
        }
        writing = CompletableFuture.supplyAsync(() -> {
            try {
                return write(version, last);
            } catch (IOException e) {
                LOG.error("could not write the snapshot at index {}; the log is kept", last.getIndex(), e);
                throw new java.io.UncheckedIOException(e);
            }
        }, snapshotWriter);
        return writing;
    }

    /**
     * Writes one version, fsyncs the file and its directory, and only then records it as the latest snapshot
     * (after which Ratis may purge the log up to it).
     */
    private ClusterStore.SnapshotTaken write(ClusterSnapshot version, TermIndex last) throws IOException {
        long started = System.nanoTime();
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Path tmp = file.toPath().resolveSibling(file.getName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
             OutputStream out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16)) {
            codec.writeSnapshot(ClusterState.persisted(version), out);
            out.flush();
            channel.force(true);
        }
        Files.move(tmp, file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        var md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        Durable.fsync(file.toPath());
        Durable.fsync(file.toPath().resolveSibling(file.getName() + ".md5"));
        Durable.fsyncDirectory(file.toPath().getParent());
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        ClusterStore.SnapshotTaken taken = new ClusterStore.SnapshotTaken(last.getIndex(), file.length(),
                (System.nanoTime() - started) / 1_000_000);
        lastSnapshot = taken;
        LOG.info("took snapshot at index {}: {} bytes in {} ms", taken.index(), taken.bytes(), taken.millis());
        return taken;
    }

    /** Lets a snapshot being written finish (a half-written one is only a .tmp file, never loaded). */
    @Override
    public void close() throws IOException {
        snapshotWriter.shutdown();
        try {
            if (!snapshotWriter.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("a snapshot was still being written at shutdown; the log still holds everything it would hold");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        super.close();
    }

    /** The last snapshot this server wrote. */
    public ClusterStore.SnapshotTaken lastSnapshot() {
        return lastSnapshot;
    }

    /** The latest applied state. */
    public ClusterSnapshot snapshot() {
        return cached;
    }

    /** Blocks until the state's index is greater than {@code afterIndex} or {@code waitMillis} pass. */
    public ClusterSnapshot awaitAfter(long afterIndex, long waitMillis) throws InterruptedException {
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        lock.lock();
        try {
            while (cached.index() <= afterIndex) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                advanced.awaitNanos(left);
            }
            return cached;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until what {@code watch} names changed after {@code afterIndex}, or {@code waitMillis} pass; other
     * commits do not wake the caller.
     */
    public ClusterSnapshot awaitChange(Watch watch, long afterIndex, long waitMillis) throws InterruptedException {
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        String key = watch.key();
        while (true) {
            ClusterSnapshot s = cached;
            if (s.modifyIndex(watch) > afterIndex) {
                return s;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return s;
            }
            CompletableFuture<Void> woken = new CompletableFuture<>();
            waiters.compute(key, (k, list) -> {
                List<CompletableFuture<Void>> l = list == null ? new ArrayList<>() : list;
                l.add(woken);
                return l;
            });
            if (cached.modifyIndex(watch) > afterIndex) { // changed between the check and the registration
                woken.complete(null);
            }
            try {
                woken.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                waiters.computeIfPresent(key, (k, list) -> {
                    list.remove(woken);
                    return list.isEmpty() ? null : list;
                });
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Leadership counts from here, not from the election: the first entry of this term is being applied, so the state
     * holds every entry committed before, and controllers that start now act on all of it.
     */
    @Override
    public void notifyLeaderReady() {
        leadershipListener.accept(true);
    }

    @Override
    public void notifyNotLeader(java.util.Collection<org.apache.ratis.statemachine.TransactionContext> pendingEntries) {
        leadershipListener.accept(false);
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        if (!groupMemberId.getPeerId().equals(newLeaderId)) {
            leadershipListener.accept(false);
        }
    }

    /** Ratis calls this for a read once this server has applied the read index; the caller then reads the state. */
    @Override
    public CompletableFuture<Message> query(Message request) {
        return CompletableFuture.completedFuture(Message.EMPTY);
    }
}
