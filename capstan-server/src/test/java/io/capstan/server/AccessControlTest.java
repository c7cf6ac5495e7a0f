package io.capstan.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.server.TestApiClient.Reply;
import io.capstan.state.AclRole;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real server with {@code --acl}, over real HTTP: tokens, roles, revocation, the bootstrap and the audit trail. */
class AccessControlTest {

    private static final String MANIFEST = TestPackages.statelessManifest("AclType", 0.1);
    private static final Map<String, String> NODE = Map.of("name", "n1", "address", "127.0.0.1", "faultDomain", "fd:/n1",
            "upgradeDomain", "UD0");

    @TempDir
    Path dir;
    private CapstanServer server;
    private TestApiClient anonymous;
    private TestApiClient admin;
    private final List<String> secrets = new ArrayList<>();
    /** The accessor id of the token {@link #token} created last. */
    private String lastId;

    @BeforeEach
    void start() throws IOException {
        server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + TestApiClient.freePort(), 0, dir.resolve("server"))
                .withAccess(new ServerConfig.AccessSettings(true, null))).start();
        anonymous = new TestApiClient(server::apiUrl);
        await().atMost(Duration.ofSeconds(20)).until(() -> server.store().isLeader());
        Reply bootstrap = anonymous.post("/v1/acl/bootstrap", Map.of());
        assertThat(bootstrap.status()).as(bootstrap.body().toString()).isEqualTo(201);
        assertThat(bootstrap.body().path("role").asText()).isEqualTo("admin");
        admin = anonymous.withToken(secret(bootstrap));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String secret(Reply created) {
        String secret = created.body().path("secret").asText();
        assertThat(secret).matches("[0-9a-f]{64}");
        secrets.add(secret);
        return secret;
    }

    private TestApiClient token(AclRole role, String name, String... ttl) {
        Map<String, String> body = ttl.length == 0 ? Map.of("role", role.name(), "name", name)
                : Map.of("role", role.name(), "name", name, "ttl", ttl[0]);
        Reply created = admin.post("/v1/acl/tokens", body);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        lastId = created.body().path("id").asText();
        return anonymous.withToken(secret(created));
    }

    @Test
    void aCallWithoutATokenIs401AndSaysWhichRoleItNeeds() {
        Reply read = anonymous.get("/v1/apps");
        Reply write = anonymous.post("/v1/apps", Map.of("name", "A1", "type", "AclType", "version", "1.0.0"));
        Reply unknown = anonymous.withToken("f".repeat(64)).get("/v1/apps");

        assertThat(read.status()).isEqualTo(401);
        assertThat(read.code()).isEqualTo("UNAUTHENTICATED");
        assertThat(read.message()).contains("X-Capstan-Token").contains("GET /v1/apps needs role read or operate or admin");
        assertThat(write.status()).isEqualTo(401);
        assertThat(write.message()).contains("POST /v1/apps needs role operate or admin");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.message()).contains("not known").doesNotContain("f".repeat(64));
    }

    @Test
    void aSecondBootstrapIsRefusedWithTheReason() {
        Reply again = anonymous.post("/v1/acl/bootstrap", Map.of());

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.message()).contains("bootstrapped already").contains("capstan acl token create");
        assertThat(again.body().toString()).doesNotContain(secrets.getFirst());
        assertThat(admin.get("/v1/acl/tokens").body().path("items")).hasSize(1);
    }

    @Test
    void readMayOnlyReadAndOperateRegistersA64MiBPackageAndCreatesAnApplication() throws IOException {
        TestApiClient reader = token(AclRole.read, "reader");
        TestApiClient operator = token(AclRole.operate, "op");
        Path pkg = TestPackages.webPackage(dir, MANIFEST);
        writeRandom(pkg.resolve("WebPackage/Web/model.bin"), 64L << 20);

        assertThat(reader.get("/v1/apps").status()).isEqualTo(200);
        Reply refused = reader.registerPackage(pkg);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("PERMISSION_DENIED");
        assertThat(refused.message()).contains("token reader").contains("has role read")
                .contains("POST /v1/apptypes needs role operate or admin");

        Reply registered = operator.registerPackage(pkg);
        assertThat(registered.status()).as(registered.body().toString()).isEqualTo(201);
        assertThat(registered.body().path("packageSize").asLong()).isGreaterThan(64L << 20);
        Reply app = operator.post("/v1/apps", Map.of("name", "A1", "type", "AclType", "version", "1.0.0"));
        assertThat(app.status()).as(app.body().toString()).isEqualTo(201);
        assertThat(reader.post("/v1/apps", Map.of("name", "A2", "type", "AclType", "version", "1.0.0")).status()).isEqualTo(403);
        assertThat(reader.get("/v1/apps/A1").status()).isEqualTo(200);

        Reply tokenByOperator = operator.post("/v1/acl/tokens", Map.of("role", "admin"));
        assertThat(tokenByOperator.status()).isEqualTo(403);
        assertThat(tokenByOperator.message()).contains("needs role admin");
    }

    @Test
    void anAgentTokenServesTheNodeProtocolOnly() {
        TestApiClient agent = token(AclRole.agent, "agents");

        assertThat(agent.post("/v1/nodes", NODE).status()).isEqualTo(200);
        assertThat(agent.post("/v1/nodes/n1/heartbeat", Map.of()).status()).isEqualTo(200);
        assertThat(agent.get("/v1/nodes/n1/assignment").status()).isEqualTo(200);
        Reply create = agent.post("/v1/apps", Map.of("name", "A1", "type", "AclType", "version", "1.0.0"));
        Reply list = agent.get("/v1/apps");
        Reply tokens = agent.get("/v1/acl/tokens");
        Reply disable = agent.post("/v1/nodes/n1/disable", Map.of("intent", "Restart"));

        for (Reply r : List.of(create, list, tokens, disable)) {
            assertThat(r.status()).as(r.body().toString()).isEqualTo(403);
            assertThat(r.message()).contains("has role agent");
        }
        assertThat(create.message()).contains("needs role operate or admin");
        assertThat(list.message()).contains("needs role read or operate or admin");
    }

    @Test
    void anAgentTokenBoundToANodeActsForThatNodeOnly() {
        Reply created = admin.post("/v1/acl/tokens", Map.of("role", "agent", "name", "n1-agent", "node", "n1"));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        TestApiClient n1 = anonymous.withToken(secret(created));
        assertThat(n1.post("/v1/nodes", NODE).status()).isEqualTo(200);
        assertThat(n1.post("/v1/nodes/n1/heartbeat", Map.of()).status()).isEqualTo(200);
        assertThat(n1.get("/v1/nodes/n1/assignment").status()).isEqualTo(200);

        Map<String, String> other = new java.util.HashMap<>(NODE);
        other.put("name", "n2");
        Reply register = n1.post("/v1/nodes", other);
        Reply heartbeat = n1.post("/v1/nodes/n2/heartbeat", Map.of());
        Reply report = n1.post("/v1/nodes/n2/report", Map.of("node", "n2", "assignmentIndex", 0, "deployed", java.util.List.of()));
        for (Reply r : java.util.List.of(register, heartbeat, report)) {
            assertThat(r.status()).as(r.body().toString()).isEqualTo(403);
            assertThat(r.message()).contains("bound to node n1", "may not act for node n2");
        }
        assertThat(admin.get("/v1/nodes").body().path("items")).extracting(n -> n.path("name").asText()).doesNotContain("n2");

        Reply misbound = admin.post("/v1/acl/tokens", Map.of("role", "operate", "name", "bad", "node", "n1"));
        assertThat(misbound.status()).isEqualTo(400);
        assertThat(misbound.message()).contains("node", "only an agent token");
    }

    @Test
    void aRevokedTokenStopsWorkingAtOnceAndAnExpiredOneAtItsTime() {
        TestApiClient reader = token(AclRole.read, "reader");
        String id = lastId;
        assertThat(reader.get("/v1/apps").status()).isEqualTo(200);

        Reply revoked = admin.delete("/v1/acl/tokens/" + id);
        assertThat(revoked.status()).as(revoked.body().toString()).isEqualTo(200);
        assertThat(reader.get("/v1/apps").status()).isEqualTo(401);
        assertThat(admin.delete("/v1/acl/tokens/" + id).status()).isEqualTo(404);

        TestApiClient brief = token(AclRole.read, "brief", "1s");
        assertThat(brief.get("/v1/apps").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> brief.get("/v1/apps").status() == 401);
        assertThat(brief.get("/v1/apps").message()).contains("token brief").contains("expired");
    }

    @Test
    void theListShowsNoSecretAndTheServersRoutesNeedTheClusterSecret() {
        token(AclRole.operate, "op");
        String list = admin.get("/v1/acl/tokens").body().toString();
        Reply peer = admin.send(HttpRequest.newBuilder(URI.create(server.apiUrl() + "/v1/internal/packages/" + "a".repeat(64)))
                .header("X-Capstan-Token", secrets.getFirst()).PUT(HttpRequest.BodyPublishers.ofString("x")).build());

        assertThat(list).contains("\"name\":\"op\"").contains("\"role\":\"operate\"").doesNotContain("secret");
        secrets.forEach(s -> assertThat(list).doesNotContain(s));
        assertThat(peer.status()).isEqualTo(403);
        assertThat(peer.message()).contains("cluster secret");
    }

    @Test
    void theAuditTrailListsEveryWriteWithItsActor() throws IOException {
        TestApiClient operator = token(AclRole.operate, "op");
        TestApiClient agent = token(AclRole.agent, "agents");
        assertThat(operator.registerPackage(TestPackages.webPackage(dir, MANIFEST)).status()).isEqualTo(201);
        assertThat(operator.post("/v1/apps", Map.of("name", "A1", "type", "AclType", "version", "1.0.0")).status()).isEqualTo(201);
        assertThat(agent.post("/v1/nodes", NODE).status()).isEqualTo(200);
        assertThat(operator.post("/v1/apps", Map.of("name", "A1", "type", "AclType", "version", "1.0.0")).status())
                .as("refused writes are not in the trail").isEqualTo(409);

        Reply byOperator = admin.get("/v1/audit?actor=op");
        Reply all = admin.get("/v1/audit?since=1h");
        Reply future = admin.get("/v1/audit?since=2999-01-01T00:00:00Z");

        assertThat(byOperator.status()).isEqualTo(200);
        assertThat(byOperator.body().path("items").findValuesAsText("command")).containsExactly("apptype.register", "app.create");
        assertThat(byOperator.body().path("items").get(1).path("path").asText()).isEqualTo("/v1/apps");
        assertThat(byOperator.body().path("items").get(1).path("method").asText()).isEqualTo("POST");
        assertThat(byOperator.body().path("items").get(1).path("at").asText()).isNotEmpty();
        assertThat(all.body().path("items").findValuesAsText("actor"))
                .containsExactly("anonymous", "bootstrap", "bootstrap", "op", "op", "node:n1");
        assertThat(future.body().path("items")).isEmpty();
        assertThat(operator.get("/v1/audit").status()).isEqualTo(403);
        assertThat(admin.get("/v1/audit?since=yesterday").status()).isEqualTo(400);
    }

    @Test
    void noSecretIsStoredInTheLogOrTheSnapshotOnlyItsHash() throws IOException {
        token(AclRole.read, "reader");
        token(AclRole.agent, "agents");
        assertThat(admin.post("/v1/cluster/snapshot", Map.of()).status()).isEqualTo(200);

        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir.resolve("server/raft"))) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        String everything = files.stream().map(AccessControlTest::latin1).reduce("", String::concat);
        assertThat(files).anyMatch(f -> f.getFileName().toString().startsWith("snapshot"));
        for (String secret : secrets) {
            assertThat(everything).doesNotContain(secret);
            assertThat(everything).contains(io.capstan.server.acl.Secrets.hash(secret));
        }
    }

    private static String latin1(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeRandom(Path file, long size) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += chunk.length) {
                for (int i = 0; i < chunk.length; i += 8) {
                    long v = random.nextLong();
                    for (int b = 0; b < 8; b++) {
                        chunk[i + b] = (byte) (v >>> (8 * b));
                    }
                }
                out.write(chunk);
            }
        }
    }
}
