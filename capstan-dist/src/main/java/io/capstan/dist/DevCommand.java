package io.capstan.dist;

import io.capstan.agent.PortRange;
import io.capstan.model.Durations;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import io.capstan.cli.Converters;
import picocli.CommandLine.Model.CommandSpec;
import io.capstan.server.acl.AccessControl;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code capstan dev}: a whole cluster on this machine, in the foreground until SIGTERM. */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Run a whole cluster on this machine (server + node agents, embedded state) until interrupted.")
public final class DevCommand implements Callable<Integer> {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = io.capstan.model.CapstanJson.newMapper();

    @Option(names = "--node-down-after", converter = Converters.Timeout.class, defaultValue = "3s",
            description = "Mark a node Down after this long without a heartbeat (default: ${DEFAULT-VALUE}).")
    java.time.Duration nodeDownAfter;

    @Option(names = "--no-event-log", description = "Do not print cluster events as JSON lines on standard output.")
    boolean noEventLog;

    @Option(names = "--nodes", defaultValue = "3", description = "Number of node agents (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--data", description = "Data directory (default: ~/.capstan/dev). Reusing it brings the cluster back.")
    Path data;

    @Option(names = "--api-port", defaultValue = "19080", description = "REST API port (default: ${DEFAULT-VALUE}).")
    int apiPort;

    @Option(names = "--raft-port", defaultValue = "19082", description = "Raft port (default: ${DEFAULT-VALUE}).")
    int raftPort;

    @Option(names = "--gateway-port", defaultValue = "19081",
            description = "Port of the gateway, the naming-aware reverse proxy (default: ${DEFAULT-VALUE}).")
    int gatewayPort;

    @Option(names = "--node-cpu", description = "Cores each node offers (default: this machine's cores / nodes).")
    Double nodeCpu;

    @Option(names = "--node-memory", description = "Memory each node offers, in MiB (default: this machine's memory / nodes).")
    Double nodeMemory;

    @Option(names = "--endpoint-ports", defaultValue = "20000-29999",
            description = "Port range for service endpoints, split between the nodes (default: ${DEFAULT-VALUE}).")
    String endpointPorts;

    @Option(names = "--deploy", paramLabel = "DIR",
            description = "Once ready, register the application package DIR (unless that version is registered) and create"
                    + " one application of it, named after its type without the 'Type' suffix (HelloAppType -> HelloApp),"
                    + " unless it exists; waits until it has converged.")
    Path deploy;

    @Option(names = "--container-runtime", paramLabel = "runc|crun",
            description = "OCI runtime for the nodes' container code packages: runc or crun, or a path to one (default: runc).")
    String containerRuntime;

    @Option(names = "--acl", description = "Require an ACL token on every API call (the nodes and the gateway get theirs"
            + " by themselves); create yours with `capstan acl bootstrap`.")
    boolean acl;

    @picocli.CommandLine.Mixin
    ImageOptions images;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String runtime = ContainerRuntimeOption.resolve(spec, containerRuntime);
        Path dir = data != null ? data : Path.of(System.getProperty("user.home"), ".capstan", "dev");
        Map<String, Double> capacity = new LinkedHashMap<>(DevCluster.machineShare(nodes));
        if (nodeCpu != null) {
            capacity.put("cpu", nodeCpu);
        }
        if (nodeMemory != null) {
            capacity.put("memoryMiB", nodeMemory);
        }
        DevCluster cluster = new DevCluster(new DevCluster.Settings(nodes, dir.toAbsolutePath(), apiPort, raftPort,
                capacity, PortRange.parse(endpointPorts), nodeDownAfter, !noEventLog)).withGateway(gatewayPort)
                .withContainerRuntime(runtime)
                .withImages(images.policy(spec), images.credentials(spec));
        if (acl) {
            cluster.withAcl();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("capstan dev: stopping (workloads are stopped; state is kept in " + dir + ")");
            cluster.close();
            stopped.countDown();
        }, "capstan-dev-shutdown"));
        cluster.start();
        awaitNodes(cluster.apiUrl(), cluster.operatorToken(), nodes, Duration.ofSeconds(60));
        System.out.println("Capstan dev cluster ready: " + nodes + " node(s), data in " + dir);
        System.out.println("API: " + cluster.apiUrl());
        System.out.println("Gateway: " + cluster.gatewayUrl() + "/App/Service/path");
        if (acl) {
            System.out.println("ACLs on: every API call needs a token; create the first admin token with ./capstan acl bootstrap");
        }
        System.out.println("Try: ./capstan node list   (Ctrl-C or SIGTERM stops the cluster)");
        System.out.flush();
        if (deploy != null) {
            try {
                new ExampleDeployment(cluster.apiUrl(), cluster.operatorToken()).deploy(deploy);
            } catch (RuntimeException | java.io.IOException e) {
                // A failed example deployment is reported; the cluster itself keeps running.
                System.err.println("capstan dev: --deploy " + deploy + " failed: " + e.getMessage());
            }
        }
        stopped.await();
        return 0;
    }

    /** Waits until every agent has registered, so "ready" means nodes can take work. */
    private static void awaitNodes(String api, String token, int expected, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        long index = 0;
        while (System.nanoTime() < deadline) {
            HttpRequest.Builder status = HttpRequest.newBuilder(URI.create(api + "/v1/cluster/status?index=" + index + "&wait=2s"));
            if (token != null) {
                status.header(AccessControl.TOKEN_HEADER, token);
            }
            HttpResponse<String> r = http.send(status.build(), HttpResponse.BodyHandlers.ofString());
            index = r.headers().firstValueAsLong(io.capstan.server.api.ApiContext.INDEX_HEADER).orElse(index);
            if (r.statusCode() == 200 && JSON.readTree(r.body()).path("nodes").path("up").asInt() >= expected) {
                return;
            }
        }
        throw new IllegalStateException("the node agents did not register within " + Durations.format(timeout));
    }
}
