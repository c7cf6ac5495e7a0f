package io.capstan.agent.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capstan.agent.process.Executables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Private network namespaces for containers, through the standard CNI plugins (Debian's containernetworking-plugins):
 * a named namespace ({@code ip netns add}), a veth into the machine's {@code capstan0} bridge with an address from
 * {@code 10.89.0.0/16} (host-local IPAM, shared by every agent on the machine; masquerading out), and the endpoint
 * ports mapped from the host to the same ports inside ({@code portmap}: iptables DNAT, also for 127.0.0.1). What was
 * set up is kept in {@code <state>/<container>.json}, so a later agent tears it down exactly.
 */
final class ContainerNetwork {

    private static final Logger log = LoggerFactory.getLogger(ContainerNetwork.class);
    static final String NETWORK = "capstan";
    static final String BRIDGE = "capstan0";
    static final String SUBNET = "10.89.0.0/16";
    private static final Path CNI_PATH = Path.of("/usr/lib/cni");
    private static final Path NETNS_DIR = Path.of("/var/run/netns");

    private final Path stateDir;
    private final ObjectMapper json;

    ContainerNetwork(Path stateDir, ObjectMapper json) {
        this.stateDir = stateDir;
        this.json = json;
    }

    /** The namespace a container's config.json joins. */
    Path netns(String containerId) {
        return NETNS_DIR.resolve(name(containerId));
    }

    /** Creates the namespace, connects it and maps {@code ports}; undone again when any step fails. */
    Path attach(String containerId, List<Integer> ports) throws IOException {
        requirePlugins();
        detach(containerId); // a previous run's, if an agent died before removing it
        Files.createDirectories(stateDir);
        run(List.of(ip(), "netns", "add", name(containerId)), null, Map.of());
        try {
            JsonNode bridged = cni("ADD", containerId, bridgeConfig(), null);
            ObjectNode state = json.createObjectNode();
            state.set("bridge", bridged);
            state.set("ports", json.valueToTree(ports));
            Files.write(stateDir.resolve(containerId + ".json"), json.writeValueAsBytes(state));
            if (!ports.isEmpty()) {
                cni("ADD", containerId, portmapConfig(ports), bridged);
            }
            return netns(containerId);
        } catch (IOException | RuntimeException e) {
            detach(containerId);
            throw e;
        }
    }

    /** Removes the port mappings, the address and the namespace; nothing happens when there are none. */
    void detach(String containerId) {
        Path statePath = stateDir.resolve(containerId + ".json");
        boolean hasNetns = Files.exists(netns(containerId));
        if (!Files.isRegularFile(statePath) && !hasNetns) {
            return;
        }
        try {
            JsonNode state = Files.isRegularFile(statePath) ? json.readTree(statePath.toFile()) : json.createObjectNode();
            List<Integer> ports = new ArrayList<>();
            state.path("ports").forEach(p -> ports.add(p.asInt()));
            JsonNode bridged = state.path("bridge").isMissingNode() ? null : state.path("bridge");
            if (!ports.isEmpty()) {
                cni("DEL", containerId, portmapConfig(ports), bridged);
            }
            cni("DEL", containerId, bridgeConfig(), null);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot remove the network of container {}: {}", containerId, e.toString());
        }
        if (hasNetns) {
            try {
                run(List.of(ip(), "netns", "delete", name(containerId)), null, Map.of());
            } catch (IOException e) {
                log.warn("cannot delete network namespace {}: {}", name(containerId), e.toString());
            }
        }
        try {
            Files.deleteIfExists(statePath);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", statePath, e.toString());
        }
    }

    /** The containers this agent set a network up for (and has not torn down). */
    List<String> attached() {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(stateDir)) {
            return ids;
        }
        try (var files = Files.list(stateDir)) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .forEach(n -> ids.add(n.substring(0, n.length() - ".json".length())));
        } catch (IOException e) {
            log.warn("cannot list {}: {}", stateDir, e.toString());
        }
        return ids;
    }

    private ObjectNode bridgeConfig() {
        ObjectNode c = base("bridge");
        c.put("bridge", BRIDGE);
        c.put("isGateway", true);
        c.put("ipMasq", true);
        ObjectNode ipam = c.putObject("ipam");
        ipam.put("type", "host-local");
        ipam.putArray("ranges").addArray().addObject().put("subnet", SUBNET);
        ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");
        return c;
    }

    private ObjectNode portmapConfig(List<Integer> ports) {
        ObjectNode c = base("portmap");
        c.putObject("capabilities").put("portMappings", true);
        c.put("snat", true); // so the host reaches a mapped port on 127.0.0.1 too
        var mappings = c.putObject("runtimeConfig").putArray("portMappings");
        for (int p : ports) {
            mappings.addObject().put("hostPort", p).put("containerPort", p).put("protocol", "tcp");
        }
        return c;
    }

    private ObjectNode base(String type) {
        ObjectNode c = json.createObjectNode();
        c.put("cniVersion", "1.0.0");
        c.put("name", NETWORK);
        c.put("type", type);
        return c;
    }

    /** One CNI plugin call (the CNI spec: the command in the environment, the config on stdin, the result on stdout). */
    private JsonNode cni(String command, String containerId, ObjectNode config, JsonNode prevResult) throws IOException {
        if (prevResult != null) {
            config.set("prevResult", prevResult);
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", name(containerId)); // unique on the machine, like the namespace
        env.put("CNI_NETNS", netns(containerId).toString());
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", CNI_PATH.toString());
        String out = run(List.of(CNI_PATH.resolve(config.path("type").asText()).toString()), json.writeValueAsBytes(config), env);
        return out.isBlank() ? json.createObjectNode() : json.readTree(out);
    }

    private static String run(List<String> command, byte[] stdin, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new java.io.InterruptedIOException(String.join(" ", command) + " was interrupted");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " " + env.getOrDefault("CNI_COMMAND", "") + " failed: "
                    + text.strip());
        }
        return text;
    }

    private static void requirePlugins() throws IOException {
        for (String plugin : List.of("bridge", "host-local", "portmap")) {
            if (!Files.isExecutable(CNI_PATH.resolve(plugin))) {
                throw new IOException("a private container network needs the CNI plugins in " + CNI_PATH
                        + " (apt-get install containernetworking-plugins iptables); " + plugin + " is missing");
            }
        }
    }

    private static String ip() throws IOException {
        return Executables.find("ip").map(Path::toString).orElseThrow(() -> new IOException(
                "a private container network needs ip from iproute2 (apt-get install iproute2)"));
    }

    /**
     * Network namespace names are machine-wide while container ids are only unique per agent (two nodes of a dev
     * cluster run the same activation names): the name is a digest of this agent's state folder and the container id.
     */
    private String name(String containerId) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest((stateDir.toAbsolutePath() + "/" + containerId)
                    .getBytes(StandardCharsets.UTF_8));
            return "capstan-" + java.util.HexFormat.of().formatHex(d, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
