package io.capstan.dist;

import io.capstan.agent.AgentConfig;
import io.capstan.agent.HttpControlPlane;
import io.capstan.agent.NodeAgent;
import io.capstan.agent.PortRange;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code capstan agent}: the node agent of one machine. Stopping it leaves its workloads running for its next start to adopt. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run a node agent that registers this machine and runs what the cluster assigns to it.")
public final class AgentCommand implements Callable<Integer> {

    @Option(names = "--servers", required = true, split = ",", description = "Server API URLs, comma-separated.")
    String[] servers;

    @Option(names = "--name", required = true, description = "Node name.")
    String name;

    @Option(names = "--fault-domain", description = "Fault domain, e.g. fd:/dc1/rack1 (default: fd:/<name>).")
    String faultDomain;

    @Option(names = "--upgrade-domain", description = "Upgrade domain, e.g. UD0 (default: UD0).")
    String upgradeDomain;

    @Option(names = "--data", description = "Data directory (default: ~/.capstan/agent-<name>).")
    Path data;

    @Option(names = "--capacity", split = ",", description = "Capacities as metric=value, e.g. cpu=2,memoryMiB=4096 (default: this machine).")
    Map<String, Double> capacity;

    @Option(names = "--property", description = "A node property for placement constraints, k=v; repeatable.")
    Map<String, String> properties;

    @Option(names = "--endpoint-ports", defaultValue = "20000-29999", description = "Endpoint port range (default: ${DEFAULT-VALUE}).")
    String endpointPorts;

    @Option(names = "--address", defaultValue = "127.0.0.1", description = "Address workloads are reached at (default: ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--container-runtime", paramLabel = "runc|crun",
            description = "OCI runtime for container code packages: runc or crun, or a path to one (default: runc).")
    String containerRuntime;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "A file holding this agent's ACL token (role agent), for a cluster run with --acl.")
    Path tokenFile;

    @picocli.CommandLine.Mixin
    ImageOptions images;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String runtime = ContainerRuntimeOption.resolve(spec, containerRuntime);
        Path dir = (data != null ? data : Path.of(System.getProperty("user.home"), ".capstan", "agent-" + name)).toAbsolutePath();
        Map<String, Double> caps = new LinkedHashMap<>(AgentConfig.machineCapacities());
        if (capacity != null) {
            capacity.forEach((k, v) -> caps.put(k.equals("memory") ? "memoryMiB" : k, v));
        }
        AgentConfig config = AgentConfig.builder(name, dir)
                .servers(Arrays.stream(servers).map(String::trim).map(URI::create).toList())
                .faultDomain(faultDomain)
                .upgradeDomain(upgradeDomain)
                .capacities(caps)
                .properties(properties)
                .endpointPorts(PortRange.parse(endpointPorts))
                .apiAddress(address)
                .containerRuntime(runtime)
                .imagePolicy(images.policy(spec))
                .registryCredentials(images.credentials(spec))
                .build();
        HttpControlPlane controlPlane = new HttpControlPlane(config.servers(), SecretFiles.read(spec, "--token-file", tokenFile));
        NodeAgent agent = new NodeAgent(config, controlPlane);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            controlPlane.close();
            stopped.countDown();
        }, "capstan-agent-shutdown"));
        agent.start();
        System.out.println("Capstan agent " + name + " started; data in " + dir);
        System.out.flush();
        stopped.await();
        return 0;
    }
}
