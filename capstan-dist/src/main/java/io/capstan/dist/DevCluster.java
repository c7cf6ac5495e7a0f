package io.capstan.dist;

import io.capstan.agent.AgentConfig;
import io.capstan.agent.HttpControlPlane;
import io.capstan.agent.NodeAgent;
import io.capstan.agent.PortRange;
import io.capstan.server.CapstanServer;
import io.capstan.server.ServerConfig;
import io.capstan.state.AclRole;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole cluster in one JVM: one server (a one-peer Raft group on local disk), N node agents and optionally the gateway,
 * each with its own data directory, fault domain {@code fd:/rackI}, upgrade domain {@code UDI},
 * a share of the machine's capacity, and a disjoint slice of the endpoint port range.
 */
public final class DevCluster implements AutoCloseable {

    /** What {@code capstan dev} was asked for. */
    public record Settings(int nodes, Path dataDir, int apiPort, int raftPort, Map<String, Double> nodeCapacity,
            PortRange endpointPorts, java.time.Duration nodeDownAfter, boolean eventLog) {
    }

    /** How long dev mode waits for a node's workloads to stop on shutdown (SIGTERM, then SIGKILL after the grace). */
    private static final java.time.Duration WORKLOAD_STOP_TIMEOUT = java.time.Duration.ofSeconds(30);

    private final Settings settings;
    private CapstanServer server;
    private final List<NodeAgent> agents = new ArrayList<>();
    /** The gateway's port (0: any free one), or -1 for no gateway. */
    private int gatewayPort = -1;
    private io.capstan.gateway.Gateway gateway;
    private int gatewayBound;
    /** The nodes' OCI runtime (runc or crun). */
    private String containerRuntime = "runc";
    private io.capstan.agent.image.ImagePruner.Policy imagePolicy;
    private Path registryCredentials;
    /** Whether the API requires tokens ({@code dev --acl}). */
    private boolean acl;
    /** The secret of this dev cluster's own operate token (with ACLs), for its ready check and --deploy; else null. */
    private String operatorToken;
    private final List<HttpControlPlane> controlPlanes = new ArrayList<>();

    public DevCluster(Settings settings) {
        if (settings.nodes() < 1) {
            throw new IllegalArgumentException("--nodes must be at least 1");
        }
        this.settings = settings;
    }

    /** The capacity each node offers by default: the machine's cores and memory split evenly. */
    public static Map<String, Double> machineShare(int nodes) {
        Map<String, Double> share = new LinkedHashMap<>();
        AgentConfig.machineCapacities().forEach((metric, total) -> share.put(metric,
                Math.floor(total / nodes * 100) / 100));
        return share;
    }

    /** Also runs the gateway on {@code port} (0: a free port), resolving through this cluster's server. */
    public DevCluster withGateway(int port) {
        this.gatewayPort = port;
        return this;
    }

    /** The nodes' image policy and registry credentials file (null: none). */
    public DevCluster withImages(io.capstan.agent.image.ImagePruner.Policy policy, Path credentials) {
        this.imagePolicy = policy;
        this.registryCredentials = credentials;
        return this;
    }

    /**
     * Runs the server with ACLs: the agents, the gateway and this cluster's own checks get tokens of their own
     * ({@link DevTokens}); an operator bootstraps theirs with {@code capstan acl bootstrap}.
     */
    public DevCluster withAcl() {
        this.acl = true;
        return this;
    }

    /** Runs the nodes' container code packages with {@code runtime} (runc or crun). */
    public DevCluster withContainerRuntime(String runtime) {
        this.containerRuntime = runtime;
        return this;
    }

    public DevCluster start() throws java.io.IOException {
        server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + settings.raftPort(), settings.apiPort(),
                settings.dataDir().resolve("server")).withNodeDownAfter(settings.nodeDownAfter()).withEventLog(settings.eventLog())
                .withAccess(new ServerConfig.AccessSettings(acl, null))).start();
        String agentToken = null;
        String gatewayToken = null;
        if (acl) {
            DevTokens tokens = new DevTokens(server.store(), settings.dataDir().resolve("tokens"));
            agentToken = tokens.secret("dev-agents", AclRole.agent);
            gatewayToken = tokens.secret("dev-gateway", AclRole.read);
            operatorToken = tokens.secret("dev", AclRole.operate);
        }
        int slice = settings.endpointPorts().size() / settings.nodes();
        for (int i = 1; i <= settings.nodes(); i++) {
            int first = settings.endpointPorts().first() + (i - 1) * slice;
            AgentConfig config = AgentConfig.builder("node-" + i, settings.dataDir().resolve("nodes").resolve("node-" + i))
                    .server(server.apiUrl())
                    .faultDomain("fd:/rack" + i)
                    .upgradeDomain("UD" + i)
                    .capacities(settings.nodeCapacity())
                    .endpointPorts(new PortRange(first, first + slice - 1))
                    .containerRuntime(containerRuntime)
                    .imagePolicy(imagePolicy)
                    .registryCredentials(registryCredentials)
                    .build();
            HttpControlPlane controlPlane = new HttpControlPlane(config.servers(), agentToken);
            controlPlanes.add(controlPlane);
            NodeAgent agent = new NodeAgent(config, controlPlane);
            agents.add(agent);
            agent.start();
        }
        if (gatewayPort >= 0) {
            List<java.net.URI> servers = List.of(java.net.URI.create(server.apiUrl()));
            gateway = new io.capstan.gateway.Gateway(io.capstan.gateway.GatewayConfig.defaults(servers, gatewayPort),
                    new io.capstan.gateway.NamingClient(servers, gatewayToken));
            try {
                gatewayBound = gateway.start();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.IOException("interrupted while starting the gateway", e);
            }
        }
        return this;
    }

    /** The gateway's URL, or null when this cluster runs none. */
    public String gatewayUrl() {
        return gateway == null ? null : "http://127.0.0.1:" + gatewayBound;
    }

    /** The gateway, or null when this cluster runs none. */
    public io.capstan.gateway.Gateway gateway() {
        return gateway;
    }

    public String apiUrl() {
        return server.apiUrl();
    }

    /** The secret of this cluster's own operate token when it runs with ACLs ({@code <data>/tokens/dev}), else null. */
    public String operatorToken() {
        return operatorToken;
    }

    public List<NodeAgent> agents() {
        return List.copyOf(agents);
    }

    /** Stops the agents (their workloads stop with them in dev mode) and then the server. */
    @Override
    public void close() {
        if (gateway != null) {
            gateway.close();
        }
        // In parallel: one node's slow-to-stop workload must not hold up the others.
        List<Thread> stopping = agents.stream().map(agent -> Thread.ofVirtual().start(() -> {
            try {
                agent.closeAndStopWorkloads(WORKLOAD_STOP_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })).toList();
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        controlPlanes.forEach(HttpControlPlane::close);
        if (server != null) {
            server.close();
        }
    }
}
