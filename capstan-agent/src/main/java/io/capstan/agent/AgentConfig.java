package io.capstan.agent;

import io.capstan.agent.driver.ContainerRuntime;
import io.capstan.agent.image.ImagePruner;
import io.capstan.model.Names;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one node agent is told: who it is, where the servers are, where it keeps its data, what it
 * offers and how it runs workloads. Several agents in one JVM each get their own config; nothing is global.
 * How code packages are restarted is not the agent's to say: each one's manifest has its {@code restartPolicy}.
 *
 * @param name              the node name (a valid Capstan name)
 * @param servers           server API URLs, tried in turn; the first is given to workloads as CAPSTAN_API
 * @param faultDomain       e.g. {@code fd:/dc1/rack1}; default {@code fd:/<name>}
 * @param upgradeDomain     e.g. {@code UD0}; default UD0
 * @param dataDir           packages, activations and their records live here
 * @param capacities        per metric ("cpu" cores, "memoryMiB"); default: this machine's cores and memory
 * @param properties        free-form node properties for placement constraints
 * @param endpointPorts     where endpoint ports are allocated; default 20000-29999
 * @param heartbeatInterval default 1s
 * @param stopGrace         SIGTERM to SIGKILL; default 10s
 * @param apiAddress        the address advertised when registering; default 127.0.0.1
 * @param logRotation       default 10 MiB, 3 kept, checked every 5s
 * @param cgroupRoot        the cgroup mount (default /sys/fs/cgroup); null runs without cgroups
 * @param assignmentWait    how long one blocking assignment query may wait; default 30s
 * @param reportResync      a full report is sent at least this often; default 10s
 * @param containerRuntime  the OCI runtime for container code packages: runc (default) or crun, or a path to one
 * @param imagePolicy       how long an image no activation uses is kept (default 24h) and how much all images may
 *                          hold (default 10 GiB) before unused ones are removed
 * @param registryCredentials a YAML file of registry: {username, password} or {token}; null for none
 * @param localApi          the URL of the agent's local API, given to workloads as CAPSTAN_AGENT_API; set by the
 *                          agent once it listens ("" before)
 */
public record AgentConfig(
        String name,
        List<URI> servers,
        String faultDomain,
        String upgradeDomain,
        Path dataDir,
        Map<String, Double> capacities,
        Map<String, String> properties,
        PortRange endpointPorts,
        Duration heartbeatInterval,
        Duration stopGrace,
        String apiAddress,
        LogRotation logRotation,
        Path cgroupRoot,
        Duration assignmentWait,
        Duration reportResync,
        String containerRuntime,
        ImagePruner.Policy imagePolicy,
        Path registryCredentials,
        String localApi) {

    public static final Path DEFAULT_CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    /** This config with the local API listening at {@code url}. */
    public AgentConfig withLocalApi(String url) {
        return new AgentConfig(name, servers, faultDomain, upgradeDomain, dataDir, capacities, properties, endpointPorts,
                heartbeatInterval, stopGrace, apiAddress, logRotation, cgroupRoot, assignmentWait, reportResync,
                containerRuntime, imagePolicy, registryCredentials, url);
    }

    public AgentConfig {
        localApi = localApi == null ? "" : localApi;
        Names.requireValid("node", name);
        Objects.requireNonNull(dataDir, "dataDir");
        servers = List.copyOf(servers == null ? List.of() : servers);
        faultDomain = faultDomain == null ? "fd:/" + name : faultDomain;
        upgradeDomain = upgradeDomain == null ? "UD0" : upgradeDomain;
        capacities = Map.copyOf(capacities == null ? machineCapacities() : capacities);
        properties = Map.copyOf(properties == null ? Map.of() : properties);
        endpointPorts = endpointPorts == null ? PortRange.DEFAULT : endpointPorts;
        heartbeatInterval = positive(heartbeatInterval, Duration.ofSeconds(1), "heartbeatInterval");
        stopGrace = stopGrace == null ? Duration.ofSeconds(10) : stopGrace;
        apiAddress = apiAddress == null ? "127.0.0.1" : apiAddress;
        logRotation = logRotation == null ? LogRotation.DEFAULT : logRotation;
        assignmentWait = positive(assignmentWait, Duration.ofSeconds(30), "assignmentWait");
        reportResync = positive(reportResync, Duration.ofSeconds(10), "reportResync");
        containerRuntime = containerRuntime == null || containerRuntime.isBlank() ? "runc" : containerRuntime;
        ContainerRuntime.kindOf(containerRuntime); // runc or crun (or a path to one): refused here, not at first use
        imagePolicy = imagePolicy == null ? ImagePruner.Policy.DEFAULT : imagePolicy;
        if (imagePolicy.keepUnused().isNegative() || imagePolicy.maxBytes() < 0) {
            throw new IllegalArgumentException("imagePolicy: keepUnused and maxBytes must not be negative");
        }
    }

    /** A builder with every default filled in; only name and data dir are required. */
    public static Builder builder(String name, Path dataDir) {
        return new Builder(name, dataDir);
    }

    /** The first server URL, handed to workloads as CAPSTAN_API ("" when none is configured). */
    public String primaryServer() {
        return servers.isEmpty() ? "" : servers.getFirst().toString();
    }

    /** This machine's cores and physical memory: what a node offers unless told otherwise. */
    public static Map<String, Double> machineCapacities() {
        Map<String, Double> c = new LinkedHashMap<>();
        c.put("cpu", (double) Runtime.getRuntime().availableProcessors());
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            c.put("memoryMiB", (double) (os.getTotalMemorySize() / (1024 * 1024)));
        }
        return c;
    }

    private static Duration positive(Duration d, Duration dflt, String what) {
        if (d == null) {
            return dflt;
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
        return d;
    }

    /**
     * This agent's own part of the cgroup tree: the node name plus a digest of the data directory. Node names
     * are unique within a cluster, not on a machine: two dev clusters (or a test next to a benchmark) would
     * otherwise sweep each other's processes as unexplained. The same data directory gives the same scope
     * after a restart, so adoption still finds its cgroups.
     */
    public String cgroupScope() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(dataDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return name + "-" + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Builds an {@link AgentConfig}; unset fields take the defaults listed on the record. */
    public static final class Builder {
        private final String name;
        private final Path dataDir;
        private final List<URI> servers = new ArrayList<>();
        private String faultDomain;
        private String upgradeDomain;
        private Map<String, Double> capacities;
        private Map<String, String> properties;
        private PortRange endpointPorts;
        private Duration heartbeatInterval;
        private Duration stopGrace;
        private String apiAddress;
        private LogRotation logRotation;
        private Path cgroupRoot = DEFAULT_CGROUP_ROOT;
        private Duration assignmentWait;
        private Duration reportResync;
        private String containerRuntime;
        private ImagePruner.Policy imagePolicy;
        private Path registryCredentials;

        private Builder(String name, Path dataDir) {
            this.name = name;
            this.dataDir = dataDir;
        }

        public Builder servers(List<URI> urls) {
            servers.clear();
            servers.addAll(urls);
            return this;
        }

        public Builder server(String url) {
            servers.add(URI.create(url));
            return this;
        }

        public Builder faultDomain(String v) {
            faultDomain = v;
            return this;
        }

        public Builder upgradeDomain(String v) {
            upgradeDomain = v;
            return this;
        }

        public Builder capacities(Map<String, Double> v) {
            capacities = v;
            return this;
        }

        public Builder properties(Map<String, String> v) {
            properties = v;
            return this;
        }

        public Builder endpointPorts(PortRange v) {
            endpointPorts = v;
            return this;
        }

        public Builder heartbeatInterval(Duration v) {
            heartbeatInterval = v;
            return this;
        }

        public Builder stopGrace(Duration v) {
            stopGrace = v;
            return this;
        }

        public Builder apiAddress(String v) {
            apiAddress = v;
            return this;
        }

        public Builder logRotation(LogRotation v) {
            logRotation = v;
            return this;
        }

        /** null runs without cgroups (no limits enforced). */
        public Builder cgroupRoot(Path v) {
            cgroupRoot = v;
            return this;
        }

        public Builder assignmentWait(Duration v) {
            assignmentWait = v;
            return this;
        }

        public Builder reportResync(Duration v) {
            reportResync = v;
            return this;
        }

        /** The OCI runtime containers run with: runc (default) or crun, a name on PATH or a path. */
        public Builder containerRuntime(String v) {
            containerRuntime = v;
            return this;
        }

        /** When unused images are removed (by age, and by total size). */
        public Builder imagePolicy(ImagePruner.Policy v) {
            imagePolicy = v;
            return this;
        }

        /** The node's registry credentials file (registry: {username, password} or {token}). */
        public Builder registryCredentials(Path v) {
            registryCredentials = v;
            return this;
        }

        public AgentConfig build() {
            return new AgentConfig(name, servers, faultDomain, upgradeDomain, dataDir, capacities, properties,
                    endpointPorts, heartbeatInterval, stopGrace, apiAddress, logRotation, cgroupRoot,
                    assignmentWait, reportResync, containerRuntime, imagePolicy, registryCredentials, "");
        }
    }
}
