package io.capstan.state.ratis;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterState;
import io.capstan.state.CommandResult;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
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
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine holding {@link ClusterState}: applies {@link ClusterCommand}s from the
 * log in order, writes JSON snapshots, and lets readers block until the state passes an index.
 */
public final class CapstanStateMachine extends BaseStateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(CapstanStateMachine.class);

    private final ObjectMapper json = CapstanJson.newMapper();
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    private final Consumer<Boolean> leadershipListener;
    private ClusterState state = new ClusterState();
    private volatile ClusterSnapshot cached = state.snapshot();

    /** @param leadershipListener told true when this server becomes leader, false when it stops being it */
    public CapstanStateMachine(Consumer<Boolean> leadershipListener) {
        this.leadershipListener = leadershipListener;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        loadSnapshot(storage.getLatestSnapshot());
    }

    @Override
    public void reinitialize() throws IOException {
        loadSnapshot(storage.getLatestSnapshot());
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
        ClusterState.Persisted persisted = json.readValue(file, ClusterState.Persisted.class);
        lock.lock();
        try {
            state = ClusterState.restore(persisted);
            updateLastAppliedTermIndex(last);
            publish();
        } finally {
            lock.unlock();
        }
        LOG.info("loaded snapshot at index {} ({} services, {} replicas)", last.getIndex(),
                persisted.services().size(), persisted.replicas().size());
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        CommandResult result;
        lock.lock();
        try {
            ClusterCommand command;
            try {
                command = json.readValue(entry.getStateMachineLogEntry().getLogData().toByteArray(), ClusterCommand.class);
            } catch (IOException e) {
                // A command this version cannot read is skipped, not fatal: failing here would stop the server.
                LOG.error("skipping unreadable command at index {}", entry.getIndex(), e);
                updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
                return CompletableFuture.completedFuture(Message.valueOf("{\"applied\":false,\"index\":"
                        + entry.getIndex() + ",\"code\":\"INVALID\",\"message\":\"unreadable command\"}"));
            }
            result = state.apply(entry.getIndex(), command);
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            publish();
        } finally {
            lock.unlock();
        }
        try {
            return CompletableFuture.completedFuture(Message.valueOf(
                    org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(json.writeValueAsBytes(result))));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Must hold the lock: publishes a fresh snapshot for readers and wakes blocked queries. */
    private void publish() {
        cached = state.snapshot();
        advanced.signalAll();
    }

    @Override
    public long takeSnapshot() throws IOException {
        ClusterState.Persisted persisted;
        TermIndex last;
        lock.lock();
        try {
            persisted = state.persisted();
            last = getLastAppliedTermIndex();
        } finally {
            lock.unlock();
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        File tmp = new File(file.getParentFile(), file.getName() + ".tmp");
        json.writeValue(tmp, persisted);
        Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        var md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        LOG.info("took snapshot at index {}", last.getIndex());
        return last.getIndex();
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

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        leadershipListener.accept(groupMemberId.getPeerId().equals(newLeaderId));
    }
}
