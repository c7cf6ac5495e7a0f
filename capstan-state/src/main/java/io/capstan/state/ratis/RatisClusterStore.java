package io.capstan.state.ratis;

import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterStore;
import io.capstan.state.CommandRejectedException;
import io.capstan.state.CommandResult;
import io.capstan.state.Rejection;
import io.capstan.state.StateCodec;
import io.capstan.state.Watch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Collection;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.NetUtils;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ClusterStore} on an Apache Ratis group: one server is a one-peer group on local disk. */
public final class RatisClusterStore implements ClusterStore {

    private static final Logger LOG = LoggerFactory.getLogger(RatisClusterStore.class);

    /** Every Capstan cluster uses this group id, so a restarted server recovers its own group. */
    static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(UUID.nameUUIDFromBytes("capstan-cluster".getBytes(StandardCharsets.UTF_8)));

    /**
     * The largest command Capstan submits. Controllers split large changes into commands of a few hundred KiB,
     * so this is a guard, and the Raft limits below are set well above it (Ratis's 4 MiB default entry limit
     * would otherwise refuse an entry, and the leader would retry it forever).
     */
    public static final int MAX_COMMAND_BYTES = 8 * 1024 * 1024;
    private static final SizeInBytes RAFT_ENTRY_LIMIT = SizeInBytes.valueOf("32MB");
    private static final SizeInBytes RAFT_PENDING_LIMIT = SizeInBytes.valueOf("512MB");

    private final StateCodec codec = new StateCodec();
    private final RaftMembership membership;
    private final CapstanStateMachine stateMachine;
    private final RaftServer server;
    private final RaftClient client;
    private final List<LeadershipListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> fatalListeners = new CopyOnWriteArrayList<>();
    private volatile boolean leader;
    /** Commands from {@link #submit} not answered yet; background submissions wait on it while it is above 0. */
    private final AtomicInteger foregroundInFlight = new AtomicInteger();

    private RatisClusterStore(RaftMembership membership) throws IOException {
        this.membership = membership;
        this.stateMachine = new CapstanStateMachine(this::leadershipChanged, this::fatal);
        List<RaftPeer> peers = new ArrayList<>();
        membership.peers().forEach((id, address) ->
                peers.add(RaftPeer.newBuilder().setId(id).setAddress(address).build()));
        RaftGroup group = RaftGroup.valueOf(GROUP_ID, peers);
        // A joining server knows no configuration until the leader adds it and sends it one (then the log or a snapshot).
        RaftGroup own = membership.joining() ? RaftGroup.valueOf(GROUP_ID) : group;

        RaftProperties properties = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(membership.storageDir().toFile()));
        // The gRPC port defaults to an ephemeral one on every interface: pin both to the peer's advertised address.
        var raftAddress = NetUtils.createSocketAddr(membership.raftAddress());
        GrpcConfigKeys.Server.setHost(properties, raftAddress.getHostString());
        GrpcConfigKeys.Server.setPort(properties, raftAddress.getPort());
        // Any member answers a read once it has applied what the leader had committed (ReadIndex); the leader answers
        // from its lease, without a round of heartbeats, while the lease holds.
        RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, membership.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
        // Growth is bounded: once a snapshot is durable, the log before it goes.
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(600, TimeUnit.MILLISECONDS));
        setSizeLimits(properties, membership.logRetention());

        RaftServer built = RaftServer.newBuilder()
                .setGroup(own)
                .setServerId(RaftPeerId.valueOf(membership.serverId()))
                .setProperties(properties)
                .setStateMachine(stateMachine)
                // FORMAT (the default) fails on an existing directory; RECOVER formats only when there is none.
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        try {
            built.start();
        } catch (IOException | RuntimeException e) {
            built.close(); // otherwise its threads keep the JVM alive
            throw e;
        }
        this.server = built;
        RaftProperties clientProperties = new RaftProperties();
        GrpcConfigKeys.setMessageSizeMax(clientProperties, RAFT_ENTRY_LIMIT);
        this.client = RaftClient.newBuilder().setProperties(clientProperties).setRaftGroup(group).build();
    }

    /**
     * Every limit an entry passes through, set deliberately: the appender's buffer (the entry limit), the write
     * buffer and segment size of the log, the queue of pending writes, and gRPC's message size.
     */
    private static void setSizeLimits(RaftProperties p, RaftMembership.LogRetention retention) {
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, RAFT_ENTRY_LIMIT);
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(RAFT_ENTRY_LIMIT.getSize() + 1024 * 1024));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(retention.segmentBytes()));
        RaftServerConfigKeys.Log.setPurgeGap(p, retention.purgeGap());
        RaftServerConfigKeys.Log.setQueueByteLimit(p, RAFT_PENDING_LIMIT);
        RaftServerConfigKeys.Write.setByteLimit(p, RAFT_PENDING_LIMIT);
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(RAFT_ENTRY_LIMIT.getSize() + 1024 * 1024));
    }

    /** Starts (or recovers) this server's Raft member and its state machine. */
    public static RatisClusterStore start(RaftMembership membership) {
        try {
            return new RatisClusterStore(membership);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Raft server at " + membership.raftAddress()
                    + " with data in " + membership.storageDir() + ": " + e.getMessage(), e);
        }
    }

    private void leadershipChanged(boolean nowLeader) {
        if (nowLeader == leader) {
            return;
        }
        leader = nowLeader;
        LOG.info("{} is {} the leader", membership.serverId(), nowLeader ? "now" : "no longer");
        listeners.forEach(l -> l.leadershipChanged(nowLeader));
    }

    private void fatal(String why) {
        fatalListeners.forEach(l -> l.accept(why));
    }

    @Override
    public CompletableFuture<CommandResult> submit(ClusterCommand command) {
        foregroundInFlight.incrementAndGet();
        return send(command).whenComplete((result, error) -> {
            if (foregroundInFlight.decrementAndGet() == 0) {
                synchronized (foregroundInFlight) {
                    foregroundInFlight.notifyAll();
                }
            }
        });
    }

    @Override
    public CompletableFuture<CommandResult> submitInBackground(ClusterCommand command, Duration maxYield)
            throws InterruptedException {
        long deadline = System.nanoTime() + maxYield.toNanos();
        synchronized (foregroundInFlight) {
            for (long left = maxYield.toMillis(); foregroundInFlight.get() > 0 && left > 0;
                    left = (deadline - System.nanoTime()) / 1_000_000) {
                foregroundInFlight.wait(left);
            }
        }
        return send(command);
    }

    private CompletableFuture<CommandResult> send(ClusterCommand command) {
        byte[] bytes;
        try {
            bytes = codec.encode(command);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(CommandResult.rejected(0, Rejection.invalid(e.getMessage())));
        }
        if (bytes.length > MAX_COMMAND_BYTES) {
            return CompletableFuture.completedFuture(CommandResult.rejected(0, Rejection.invalid("the change is "
                    + bytes.length + " bytes encoded, over the " + MAX_COMMAND_BYTES + "-byte limit of one log entry; "
                    + "split it into smaller changes")));
        }
        return client.async().send(Message.valueOf(ByteString.copyFrom(bytes))).handle((reply, error) -> {
            Throwable failure = error != null ? error : reply.isSuccess() ? null : reply.getException();
            if (failure == null) {
                return ResultCodec.decode(reply.getMessage().getContent().toByteArray());
            }
            Rejection rejection = CommandRejectedException.find(failure);
            if (rejection != null) {
                return CommandResult.rejected(0, rejection);
            }
            throw new IllegalStateException("the cluster did not accept the command: " + failure, failure);
        });
    }

    @Override
    public ClusterSnapshot snapshot() {
        return stateMachine.snapshot();
    }

    @Override
    public CompletableFuture<ClusterSnapshot> readIndexSnapshot() {
        return client.async().sendReadOnlyUnordered(Message.EMPTY, RaftPeerId.valueOf(membership.serverId())).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new IllegalStateException("no leader confirmed the read: " + reply.getException());
            }
            return stateMachine.snapshot(); // published before Ratis counts the entry applied, so it is at least as new
        });
    }

    @Override
    public ClusterSnapshot awaitAfter(long afterIndex, Duration wait) throws InterruptedException {
        return stateMachine.awaitAfter(afterIndex, wait.toMillis());
    }

    @Override
    public ClusterSnapshot awaitChange(Watch watch, long afterIndex, Duration wait) throws InterruptedException {
        return stateMachine.awaitChange(watch, afterIndex, wait.toMillis());
    }

    @Override
    public SnapshotTaken takeSnapshot() {
        return stateMachine.snapshotNow();
    }

    @Override
    public int maxCommandBytes() {
        return MAX_COMMAND_BYTES;
    }

    @Override
    public void onFatal(Consumer<String> listener) {
        fatalListeners.add(listener);
    }

    @Override
    public boolean isLeader() {
        try {
            return server.getDivision(GROUP_ID).getInfo().isLeaderReady();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public List<ServerMember> members() {
        RaftPeerId leaderId = null;
        Collection<RaftPeer> peers = List.of();
        try {
            var division = server.getDivision(GROUP_ID);
            leaderId = division.getInfo().getLeaderId();
            peers = division.getRaftConf().getCurrentPeers();
        } catch (IOException e) {
            LOG.debug("no division yet", e);
        }
        List<ServerMember> out = new ArrayList<>();
        for (RaftPeer p : peers) {
            String id = p.getId().toString();
            out.add(new ServerMember(id, p.getAddress(), leaderId != null && leaderId.equals(p.getId()),
                    id.equals(membership.serverId())));
        }
        out.sort(java.util.Comparator.comparing(ServerMember::id));
        return out;
    }

    @Override
    public void setMembers(Map<String, String> peers) throws IOException {
        List<RaftPeer> next = new ArrayList<>();
        peers.forEach((id, address) -> next.add(RaftPeer.newBuilder().setId(id).setAddress(address).build()));
        // Joint consensus: the old and new majorities both agree before the new configuration holds.
        RaftClientReply reply = client.admin().setConfiguration(next);
        if (!reply.isSuccess()) {
            throw new IOException("the group did not take the new members " + peers.keySet() + ": " + reply.getException());
        }
    }

    @Override
    public void onLeadershipChange(LeadershipListener listener) {
        listeners.add(listener);
        if (leader) {
            listener.leadershipChanged(true);
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            LOG.warn("closing the Raft client", e);
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("closing the Raft server", e);
        }
    }
}
