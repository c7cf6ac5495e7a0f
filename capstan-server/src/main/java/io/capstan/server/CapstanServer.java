package io.capstan.server;

import io.capstan.server.acl.AccessControl;
import io.capstan.server.acl.AclApi;
import io.capstan.server.acl.AuditApi;
import io.capstan.server.acl.Secrets;
import io.capstan.server.api.ApiContext;
import io.capstan.server.api.ApiServer;
import io.capstan.server.api.ApplicationApi;
import io.capstan.server.api.ApplicationTypeApi;
import io.capstan.server.api.ClusterApi;
import io.capstan.server.api.HealthApi;
import io.capstan.server.api.LeaderRoutes;
import io.capstan.server.api.NamingApi;
import io.capstan.server.api.NodeApi;
import io.capstan.server.api.PeerPackageApi;
import io.capstan.server.api.ServiceApi;
import io.capstan.server.control.ControllerRunner;
import io.capstan.server.control.HealthExpiryController;
import io.capstan.server.control.HeartbeatPolicy;
import io.capstan.server.control.HeartbeatTracker;
import io.capstan.server.control.NodeLivenessController;
import io.capstan.server.control.PlacementController;
import io.capstan.server.health.HealthSequence;
import io.capstan.server.upgrade.UpgradeApi;
import io.capstan.server.upgrade.UpgradeController;
import io.capstan.state.ClusterStore;
import io.capstan.state.ratis.RatisClusterStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One control-plane server: the Raft member holding the cluster state, the REST API, and the
 * controllers that run while this server leads. Lifecycle: {@link #start} then {@link #close}.
 */
public final class CapstanServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CapstanServer.class);
    /** How often the leader looks for health reports to remove: a report outlives its time to live by at most this. */
    private static final java.time.Duration HEALTH_EXPIRY_PERIOD = java.time.Duration.ofSeconds(1);

    private final ServerConfig config;
    private ClusterStore store;
    private ControllerRunner controllers;
    private ApiServer api;
    private EventJournal journal;
    private PackageReplication replication;
    private ServerAnnouncer announcer;
    private int apiPort;

    public CapstanServer(ServerConfig config) {
        this.config = config;
    }

    /** Starts the Raft member, the controllers and the API; returns once the API listens. */
    public CapstanServer start() {
        Clock clock = Clock.systemUTC();
        SecureRandom random = new SecureRandom();
        store = RatisClusterStore.start(config.raft());
        store.onFatal(why -> LOG.error("this server must stop: {}", why));
        HeartbeatTracker heartbeats = new HeartbeatTracker(clock);
        HeartbeatPolicy heartbeatPolicy = HeartbeatPolicy.withDownAfter(config.nodeDownAfter());
        controllers = new ControllerRunner(store, List.of(
                new PlacementController(store, clock, () -> activationId(random), heartbeats, heartbeatPolicy),
                new NodeLivenessController(store, heartbeats, clock, heartbeatPolicy),
                new HealthExpiryController(store, clock, HEALTH_EXPIRY_PERIOD),
                new UpgradeController(store, clock)));
        ApiContext context = new ApiContext(store, clock, config.requestTimeout());
        ServiceDefinitions definitions = new ServiceDefinitions(UUID::randomUUID);
        PackageStore packages = new PackageStore(config.dataDir().resolve("packages"));
        ServerDirectory servers = new ServerDirectory(store);
        replication = new PackageReplication(packages, servers, store, config.requestTimeout(), config.maxRequestBytes(),
                config.access().clusterSecret());
        api = new ApiServer(config.apiHost(), config.apiPort(), config.maxRequestBytes(), List.of(
                new AccessControl(store, clock, config.access().required(), config.access().clusterSecret())::register,
                new LeaderRoutes(store, servers)::register,
                new AclApi(context, new Secrets())::register,
                new AuditApi(context)::register,
                new ClusterApi(context)::register,
                new ApplicationTypeApi(context, packages, replication, config.maxRequestBytes())::register,
                new PeerPackageApi(packages, replication)::register,
                new ApplicationApi(context, definitions)::register,
                new ServiceApi(context, definitions)::register,
                new NamingApi(context)::register,
                new NodeApi(context, heartbeats, heartbeatPolicy)::register,
                new HealthApi(context, new HealthSequence(clock))::register,
                new UpgradeApi(context)::register));
        apiPort = api.start();
        announcer = new ServerAnnouncer(store, config.raft().serverId(), advertisedApiUrl(), clock);
        replication.start();
        if (config.eventLog()) {
            journal = new EventJournal(store, System.out).start();
        }
        LOG.info("server {} API listening on {}{}", config.raft().serverId(), apiUrl(),
                config.access().required() ? " (ACLs on: every call needs a token)" : "");
        return this;
    }

    /** A fresh ServicePackageActivationId: random, so no caller can derive or cache it (seed 004). */
    private static String activationId(SecureRandom random) {
        byte[] bytes = new byte[6];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public String apiUrl() {
        return config.apiUrl(apiPort);
    }

    /**
     * The API URL the other servers send agents to: the API's own address, or, when it listens on every interface
     * ({@code --api-host 0.0.0.0}), on the host of this server's Raft address, which its peers reach already.
     */
    private String advertisedApiUrl() {
        String host = config.apiHost();
        if (!host.equals("0.0.0.0") && !host.equals("::") && !host.equals("[::]")) {
            return apiUrl();
        }
        // As a URI authority, so an IPv6 host keeps its brackets.
        return "http://" + java.net.URI.create("tcp://" + config.raft().raftAddress()).getHost() + ":" + apiPort;
    }

    public ClusterStore store() {
        return store;
    }

    @Override
    public void close() {
        if (journal != null) {
            journal.close();
        }
        if (announcer != null) {
            announcer.close();
        }
        if (replication != null) {
            replication.close();
        }
        if (api != null) {
            api.close();
        }
        if (controllers != null) {
            controllers.close();
        }
        if (store != null) {
            store.close();
        }
    }
}
