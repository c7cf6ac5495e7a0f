package io.capstan.state.ratis;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterStore;
import io.capstan.state.CommandResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.NetUtils;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ClusterStore} on an Apache Ratis group: one server is a one-peer group on local disk. */
public final class RatisClusterStore implements ClusterStore {

    private static final Logger LOG = LoggerFactory.getLogger(RatisClusterStore.class);

    /** Every Capstan cluster uses this group id, so a restarted server recovers its own group. */
    static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(UUID.nameUUIDFromBytes("capstan-cluster".getBytes(StandardCharsets.UTF_8)));

    private final ObjectMapper json = CapstanJson.newMapper();
    private final RaftMembership membership;
    private final CapstanStateMachine stateMachine;
    private final RaftServer server;
    private final RaftClient client;
    private final List<LeadershipListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean leader;

    private RatisClusterStore(RaftMembership membership) throws IOException {
        this.membership = membership;
        this.stateMachine = new CapstanStateMachine(this::leadershipChanged);
        List<RaftPeer> peers = new ArrayList<>();
        membership.peers().forEach((id, address) ->
                peers.add(RaftPeer.newBuilder().setId(id).setAddress(address).build()));
        RaftGroup group = RaftGroup.valueOf(GROUP_ID, peers);

        RaftProperties properties = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(membership.storageDir().toFile()));
        // The gRPC port defaults to an ephemeral one: pin it to the peer's advertised address.
        GrpcConfigKeys.Server.setPort(properties, NetUtils.createSocketAddr(membership.raftAddress()).getPort());
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, membership.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(300, java.util.concurrent.TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(600, java.util.concurrent.TimeUnit.MILLISECONDS));

        RaftServer built = RaftServer.newBuilder()
                .setGroup(group)
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
        this.client = RaftClient.newBuilder().setProperties(new RaftProperties()).setRaftGroup(group).build();
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

    @Override
    public CompletableFuture<CommandResult> submit(ClusterCommand command) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(command);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return client.async().send(Message.valueOf(ByteString.copyFrom(bytes))).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new IllegalStateException("the cluster did not accept the command: " + reply.getException());
            }
            try {
                return json.readValue(reply.getMessage().getContent().toByteArray(), CommandResult.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public ClusterSnapshot snapshot() {
        return stateMachine.snapshot();
    }

    @Override
    public ClusterSnapshot awaitAfter(long afterIndex, Duration wait) throws InterruptedException {
        return stateMachine.awaitAfter(afterIndex, wait.toMillis());
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
        try {
            leaderId = server.getDivision(GROUP_ID).getInfo().getLeaderId();
        } catch (IOException e) {
            LOG.debug("no division yet", e);
        }
        List<ServerMember> out = new ArrayList<>();
        for (var e : membership.peers().entrySet()) {
            out.add(new ServerMember(e.getKey(), e.getValue(),
                    leaderId != null && leaderId.toString().equals(e.getKey()), e.getKey().equals(membership.serverId())));
        }
        return out;
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
