package io.capstan.cli;

import static io.capstan.cli.FakeTransport.error;
import static io.capstan.cli.FakeTransport.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AclCommandsTest {

    private static final String CREATED = "{\"id\":\"0b6f2b8e-0000-4000-8000-000000000001\",\"name\":\"ci\",\"role\":\"operate\","
            + "\"createdAt\":\"2026-12-04T10:00:00Z\",\"expiresAt\":\"2026-12-05T10:00:00Z\",\"secret\":\"" + "ab".repeat(32) + "\"}";

    private final Cli cli = new Cli();
    private final FakeTransport server = cli.transport;

    @Test
    void tokenCreateSendsRoleNameAndTtlAndPrintsTheSecretOnce() {
        server.on("POST", "/v1/acl/tokens", ok(5, CREATED));

        Cli.Result r = cli.run("acl", "token", "create", "--role", "operate", "--name", "ci", "--ttl", "24h");

        assertThat(r.exitCode()).isZero();
        assertThat(new String(server.requests("POST", "/v1/acl/tokens").get(0).body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"role\":\"operate\",\"name\":\"ci\",\"ttl\":\"24h\"}");
        assertThat(r.out()).contains("ab".repeat(32)).contains("operate").contains("shown only now");
        assertThat(cli.run("acl", "token", "create", "--role", "operate", "-o", "json").out()).isEqualTo(CREATED + "\n");
    }

    @Test
    void anUnknownRoleIsAUsageErrorAndSendsNothing() {
        Cli.Result r = cli.run("acl", "token", "create", "--role", "root");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--role: 'root' is not a role; give read, operate, admin or agent");
        assertThat(server.requests("POST", "/v1/acl/tokens")).isEmpty();
    }

    @Test
    void theListHasNoSecretColumnAndRevokeDeletesById() {
        server.on("GET", "/v1/acl/tokens", ok(6, "{\"items\":[{\"id\":\"t-1\",\"name\":\"reader\",\"role\":\"read\","
                + "\"createdAt\":\"2026-12-04T10:00:00Z\",\"expiresAt\":null,\"expired\":false}]}"));
        server.on("DELETE", "/v1/acl/tokens/t-1", ok(7, "{\"id\":\"t-1\",\"revoked\":true}"));

        assertThat(cli.run("acl", "token", "list").out()).startsWith("ID   NAME    ROLE  CREATED               EXPIRES")
                .contains("reader").contains("never").doesNotContain("SECRET");
        assertThat(cli.run("acl", "token", "revoke", "t-1").out()).isEqualTo("token t-1 revoked\n");
    }

    @Test
    void auditPassesItsFiltersAndA403PrintsTheRoleNeeded() {
        server.on("GET", "/v1/audit", ok(8, "{\"items\":[{\"index\":4,\"at\":\"2026-12-04T10:00:00Z\",\"actor\":\"node:n1\","
                + "\"tokenId\":\"t-2\",\"method\":\"POST\",\"path\":\"/v1/nodes\",\"command\":\"node.register\"}]}"),
                error(403, "PERMISSION_DENIED", "token reader (t-1) has role read; GET /v1/audit needs role admin"));

        Cli.Result listed = cli.run("audit", "--actor", "node:n1", "--since", "1h");
        Cli.Result refused = cli.run("audit");

        assertThat(server.requests("GET", "/v1/audit").get(0).query()).isEqualTo(Map.of("actor", "node:n1", "since", "1h"));
        assertThat(listed.out()).contains("node:n1").contains("node.register").contains("POST /v1/nodes");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("error: token reader (t-1) has role read; GET /v1/audit needs role admin\n");
    }
}
