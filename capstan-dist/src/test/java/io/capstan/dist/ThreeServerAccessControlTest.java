package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.cli.CapstanCli;
import io.capstan.model.CapstanJson;
import io.capstan.model.pkg.ApplicationPackage;
import io.capstan.model.pkg.PackageArchive;
import io.capstan.server.CapstanServer;
import io.capstan.server.ServerConfig;
import io.capstan.state.ratis.RaftMembership;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Three servers with ACLs: they copy packages to each other with the cluster secret (a token, even an admin's, is
 * refused there), a follower's redirect to the leader keeps the CLI's token, and a token revoked through one server
 * is refused by the others.
 */
class ThreeServerAccessControlTest {

    private static final List<String> NAMES = List.of("s1", "s2", "s3");
    private static final String CLUSTER_SECRET = "a-cluster-secret-shared-by-every-server";

    @TempDir
    Path dir;
    private final Map<String, CapstanServer> servers = new LinkedHashMap<>();
    private final Map<String, String> urls = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        servers.values().forEach(CapstanServer::close);
    }

    private record Reply(int status, JsonNode body) {
    }

    private Reply send(HttpRequest.Builder request, String token) throws Exception {
        if (token != null) {
            request.header("X-Capstan-Token", token);
        }
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body().isEmpty() ? null : CapstanJson.newMapper().readTree(r.body()));
    }

    private Reply get(String server, String path, String token) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(urls.get(server) + path)), token);
    }

    private Reply post(String server, String path, String json, String token) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(urls.get(server) + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), token);
    }

    @Test
    void serversCopyPackagesWithTheClusterSecretAndEveryServerHonoursARevocation() throws Exception {
        Map<String, String> peers = new LinkedHashMap<>();
        Map<String, Integer> apiPorts = new LinkedHashMap<>();
        for (String name : NAMES) {
            peers.put(name, "127.0.0.1:" + TestCluster.freePort());
            apiPorts.put(name, TestCluster.freePort());
            urls.put(name, "http://127.0.0.1:" + apiPorts.get(name));
        }
        for (String name : NAMES) {
            RaftMembership raft = new RaftMembership(name, peers, dir.resolve(name).resolve("raft"), RaftMembership.DEFAULT_SNAPSHOT_THRESHOLD);
            servers.put(name, new CapstanServer(new ServerConfig(raft, "127.0.0.1", apiPorts.get(name), dir.resolve(name), null,
                    null, false, 0, new ServerConfig.AccessSettings(true, CLUSTER_SECRET))).start());
        }
        String admin = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            Reply r = post("s1", "/v1/acl/bootstrap", "{}", null);
            return r.status() == 201 ? r.body().path("secret").asText() : null;
        }, s -> s != null);
        String operator = post("s1", "/v1/acl/tokens", "{\"role\":\"operate\",\"name\":\"op\"}", admin).body().path("secret").asText();
        String leader = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            JsonNode s = get("s1", "/v1/cluster/status", admin).body();
            return s.path("servers").findValues("apiUrl").stream().noneMatch(JsonNode::isNull) ? s.path("leader").asText(null) : null;
        }, l -> l != null);
        String follower = NAMES.stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();

        // A registration through a follower needs a majority to hold the package: its peers took it with the secret.
        Path app = Path.of("src/test/apps/failover-app").toAbsolutePath();
        byte[] archive = ApplicationPackage.load(app).toTarGz();
        String digest = PackageArchive.sha256(archive);
        Reply registered = send(HttpRequest.newBuilder(URI.create(urls.get(follower) + "/v1/apptypes"))
                .header("Content-Type", "application/gzip").POST(HttpRequest.BodyPublishers.ofByteArray(archive)), operator);
        assertThat(registered.status()).as(String.valueOf(registered.body())).isEqualTo(201);
        long holding = NAMES.stream().filter(n -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(urls.get(n) + "/v1/internal/packages/" + digest))
                        .header("X-Capstan-Token", CLUSTER_SECRET).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).count();
        assertThat(holding).isGreaterThanOrEqualTo(2);
        Reply byAdmin = get(leader, "/v1/internal/packages/" + digest, admin);
        assertThat(byAdmin.status()).isEqualTo(403);
        assertThat(byAdmin.body().path("error").path("message").asText()).contains("cluster secret");

        // The node list is the leader's: the follower redirects, and the CLI's token goes along.
        Result nodes = cli("node", "list", "-o", "json", "--server", urls.get(follower), "--token", operator);
        assertThat(nodes.exit()).as(nodes.err()).isZero();

        // Created through one server, accepted by every server at once (an unknown token is looked up after a ReadIndex).
        for (String name : NAMES) {
            String fresh = post("s1", "/v1/acl/tokens", "{\"role\":\"read\"}", admin).body().path("secret").asText();
            String other = NAMES.get((NAMES.indexOf(name) + 1) % NAMES.size());
            assertThat(get(other, "/v1/apps", fresh).status()).as("a token made on s1, used on " + other).isEqualTo(200);
        }

        // Revoked through one server, refused by every server.
        String opId = null;
        for (JsonNode t : get("s1", "/v1/acl/tokens", admin).body().path("items")) {
            if (t.path("name").asText().equals("op")) {
                opId = t.path("id").asText();
            }
        }
        assertThat(send(HttpRequest.newBuilder(URI.create(urls.get("s1") + "/v1/acl/tokens/" + opId)).DELETE(), admin).status())
                .isEqualTo(200);
        for (String name : NAMES) {
            await().atMost(Duration.ofSeconds(2)).until(() -> get(name, "/v1/apps?stale=true", operator).status() == 401);
        }
    }

    private record Result(int exit, String out, String err) {
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
}
