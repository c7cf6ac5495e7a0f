package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.agent.AgentConfig;
import io.capstan.agent.PortRange;
import io.capstan.agent.cgroup.Cgroups;
import io.capstan.cli.CapstanCli;
import io.capstan.model.CapstanJson;
import io.capstan.server.CapstanServer;
import io.capstan.server.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * ACLs as an operator meets them: {@code capstan agent --token-file} processes against a server with ACLs, the CLI's
 * {@code acl} and {@code audit} commands and its error lines, and {@code capstan dev --acl}, whose nodes and gateway
 * run on tokens of their own.
 */
class AccessControlClusterTest {

    private static final Duration DOWN_AFTER = Duration.ofSeconds(1);

    @TempDir
    Path dir;
    private CapstanServer server;
    private final List<Process> processes = new ArrayList<>();
    private final List<String> nodeDirs = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
        if (server != null) {
            server.close();
        }
        for (String node : nodeDirs) {
            Cgroups.removeLeftovers(AgentConfig.DEFAULT_CGROUP_ROOT,
                    AgentConfig.builder(node, dir.resolve(node)).build().cgroupScope());
        }
    }

    private record Result(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return CapstanJson.newMapper().readTree(out);
        }
    }

    private static Result cli(String... args) {
        CommandLine cl = CapstanCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private Path secretFile(String name, String secret) throws IOException {
        Path file = Files.createFile(dir.resolve(name), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, secret + "\n");
        return file;
    }

    private Process agent(String name, Path tokenFile) throws IOException {
        nodeDirs.add(name);
        int first = 20000 + (int) (ProcessHandle.current().pid() % 90) * 100 + 50 + 10 * nodeDirs.size();
        Process p = CapstanProcess.start(dir.resolve(name + ".log"), "agent", "--servers", server.apiUrl(), "--name", name,
                "--data", dir.resolve(name).toString(), "--token-file", tokenFile.toString(), "--capacity", "cpu=1,memoryMiB=512",
                "--endpoint-ports", first + "-" + (first + 9));
        processes.add(p);
        return p;
    }

    private static String nodeStatus(String api, String token, String node) throws IOException {
        Result r = cli("node", "list", "-o", "json", "--server", api, "--token", token);
        assertThat(r.exit()).as(r.err()).isZero();
        for (JsonNode n : r.json().path("items")) {
            if (n.path("name").asText().equals(node)) {
                return n.path("status").asText();
            }
        }
        return "absent";
    }

    @Test
    void anAgentWithItsTokenFileRegistersAndStaysUpUntilItsTokenIsRevoked() throws Exception {
        server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + TestCluster.freePort(), 0, dir.resolve("server"))
                .withNodeDownAfter(DOWN_AFTER).withAccess(new ServerConfig.AccessSettings(true, null))).start();
        String url = server.apiUrl();
        await().atMost(Duration.ofSeconds(20)).until(() -> server.store().isLeader());

        Result bootstrap = cli("acl", "bootstrap", "-o", "json", "--server", url);
        assertThat(bootstrap.exit()).as(bootstrap.err()).isZero();
        String admin = bootstrap.json().path("secret").asText();
        assertThat(admin).matches("[0-9a-f]{64}");
        Result again = cli("acl", "bootstrap", "--server", url);
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).startsWith("error: the ACLs were bootstrapped already").doesNotContain(admin);
        Result anonymous = cli("node", "list", "--server", url);
        assertThat(anonymous.exit()).isEqualTo(1);
        assertThat(anonymous.err()).contains("requires an ACL token").contains("--token or CAPSTAN_TOKEN")
                .contains("GET /v1/nodes needs role read or operate or admin");

        Result agentToken = cli("acl", "token", "create", "--role", "agent", "--name", "agents", "-o", "json",
                "--server", url, "--token", admin);
        assertThat(agentToken.exit()).as(agentToken.err()).isZero();
        Result readToken = cli("acl", "token", "create", "--role", "read", "--name", "reader", "-o", "json",
                "--server", url, "--token", admin);
        String reader = readToken.json().path("secret").asText();
        Process withReadToken = agent("n2", secretFile("reader.token", reader));
        agent("n1", secretFile("agent.token", agentToken.json().path("secret").asText()));

        await().atMost(Duration.ofSeconds(60)).until(() -> nodeStatus(url, reader, "n1").equals("Up"));
        // Several down-after periods: its heartbeats, sent with the token, keep it Up.
        await().during(DOWN_AFTER.multipliedBy(4)).atMost(DOWN_AFTER.multipliedBy(6))
                .until(() -> nodeStatus(url, reader, "n1").equals("Up"));
        assertThat(nodeStatus(url, reader, "n2")).as("an agent with a read token cannot register").isEqualTo("absent");
        assertThat(withReadToken.isAlive()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(dir.resolve("n2.log"))
                .contains("has role read; POST /v1/nodes needs role agent or admin"));

        Result audit = cli("audit", "--actor", "node:n1", "-o", "json", "--server", url, "--token", admin);
        assertThat(audit.exit()).as(audit.err()).isZero();
        assertThat(audit.json().path("items").findValuesAsText("command")).contains("node.register");
        Result byReader = cli("audit", "--server", url, "--token", reader);
        assertThat(byReader.err()).contains("token reader").contains("GET /v1/audit needs role admin");

        // The list shows ids and names, never secrets; revoking the agents' token takes n1 Down.
        Result list = cli("acl", "token", "list", "-o", "json", "--server", url, "--token", admin);
        assertThat(list.out()).doesNotContain(admin).doesNotContain(reader).doesNotContain("secret");
        String agentsId = null;
        for (JsonNode t : list.json().path("items")) {
            if (t.path("name").asText().equals("agents")) {
                agentsId = t.path("id").asText();
            }
        }
        Result revoke = cli("acl", "token", "revoke", agentsId, "--server", url, "--token", admin);
        assertThat(revoke.exit()).as(revoke.err()).isZero();
        await().atMost(DOWN_AFTER.multipliedBy(5)).until(() -> nodeStatus(url, reader, "n1").equals("Down"));
    }

    @Test
    void theCliReadsItsTokenFromCapstanToken() throws Exception {
        server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + TestCluster.freePort(), 0, dir.resolve("server"))
                .withAccess(new ServerConfig.AccessSettings(true, null))).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> server.store().isLeader());
        String admin = cli("acl", "bootstrap", "-o", "json", "--server", server.apiUrl()).json().path("secret").asText();

        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "acl", "token", "list", "--server", server.apiUrl()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("cli.log").toFile());
        pb.environment().put("CAPSTAN_TOKEN", admin);
        Process p = pb.start();
        processes.add(p);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("cli.log"))).contains("bootstrap").contains("admin");
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void devWithAclRunsItsNodesAndGatewayOnTokensOfTheirOwn() throws Exception {
        int first = 20000 + (int) (ProcessHandle.current().pid() % 90) * 100;
        try (DevCluster dev = new DevCluster(new DevCluster.Settings(1, dir.resolve("dev"), TestCluster.freePort(),
                TestCluster.freePort(), Map.of("cpu", 1.0, "memoryMiB", 512.0), new PortRange(first, first + 9), DOWN_AFTER,
                false)).withGateway(0).withAcl().start()) {
            String token = dev.operatorToken();
            await().atMost(Duration.ofSeconds(60)).until(() -> nodeStatus(dev.apiUrl(), token, "node-1").equals("Up"));
            await().during(DOWN_AFTER.multipliedBy(3)).atMost(DOWN_AFTER.multipliedBy(5))
                    .until(() -> nodeStatus(dev.apiUrl(), token, "node-1").equals("Up"));

            HttpClient http = HttpClient.newHttpClient();
            assertThat(http.send(HttpRequest.newBuilder(URI.create(dev.apiUrl() + "/v1/nodes")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            // The gateway resolves with its own read token: an unknown service is 404, not "naming unavailable".
            HttpResponse<String> viaGateway = http.send(HttpRequest.newBuilder(URI.create(dev.gatewayUrl() + "/NoApp/NoService/"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(viaGateway.statusCode()).as(viaGateway.body()).isEqualTo(404);
            assertThat(Files.getPosixFilePermissions(dir.resolve("dev/tokens/dev-agents")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            Result bootstrap = cli("acl", "bootstrap", "-o", "json", "--server", dev.apiUrl());
            assertThat(bootstrap.exit()).as("the bootstrap stays the operator's").isZero();
        }
    }
}
