package io.capstan.server.acl;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.state.AclRole;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every route of the API (docs/API.md) and the access the table gives it. */
class AccessRulesTest {

    @Test
    void everyRouteNeedsWhatItsRoleAllows() {
        Map<String, Access> expected = new LinkedHashMap<>();
        expected.put("POST /v1/acl/bootstrap", Access.PUBLIC);
        expected.put("POST /v1/acl/tokens", Access.ADMIN);
        expected.put("GET /v1/acl/tokens", Access.ADMIN);
        expected.put("DELETE /v1/acl/tokens/abc", Access.ADMIN);
        expected.put("GET /v1/audit", Access.ADMIN);
        expected.put("POST /v1/cluster/snapshot", Access.ADMIN);
        expected.put("PUT /v1/internal/packages/abc", Access.PEER);
        expected.put("GET /v1/internal/packages/abc", Access.PEER);
        expected.put("POST /v1/nodes", Access.NODE);
        expected.put("POST /v1/nodes/n1/heartbeat", Access.NODE);
        expected.put("POST /v1/nodes/n1/report", Access.NODE);
        expected.put("POST /v1/nodes/n1/commands/c1/result", Access.NODE);
        expected.put("GET /v1/nodes/n1/assignment", Access.NODE_READ);
        expected.put("GET /v1/packages/abc", Access.NODE_READ);
        expected.put("GET /v1/apps/A/services/S/resolve", Access.NODE_READ);
        expected.put("POST /v1/nodes/n1/disable", Access.OPERATE);
        expected.put("POST /v1/nodes/n1/enable", Access.OPERATE);
        expected.put("POST /v1/nodes/n1/commands", Access.OPERATE);
        expected.put("DELETE /v1/nodes/n1", Access.OPERATE);
        expected.put("POST /v1/apptypes", Access.OPERATE);
        expected.put("DELETE /v1/apptypes/T/1.0.0", Access.OPERATE);
        expected.put("POST /v1/apps", Access.OPERATE);
        expected.put("DELETE /v1/apps/A", Access.OPERATE);
        expected.put("POST /v1/apps/A/services", Access.OPERATE);
        expected.put("PATCH /v1/apps/A/services/S", Access.OPERATE);
        expected.put("DELETE /v1/apps/A/services/S", Access.OPERATE);
        expected.put("POST /v1/apps/A/upgrade", Access.OPERATE);
        expected.put("POST /v1/apps/A/upgrade/resume", Access.OPERATE);
        expected.put("POST /v1/apps/A/upgrade/rollback", Access.OPERATE);
        expected.put("POST /v1/health/reports", Access.OPERATE);
        expected.put("GET /v1/cluster/status", Access.READ);
        expected.put("GET /v1/apps", Access.READ);
        expected.put("GET /v1/nodes/n1", Access.READ);
        expected.put("GET /v1/nodes/n1/commands/c1", Access.READ);
        expected.put("GET /v1/events", Access.READ);
        expected.put("GET /v1/health", Access.READ);
        // A write route nobody placed in the table is admin's, not open.
        expected.put("POST /v1/some/new/route", Access.ADMIN);
        expected.put("PUT /v1/apps/A", Access.ADMIN);

        expected.forEach((call, access) -> {
            String[] parts = call.split(" ");
            assertThat(AccessRules.of(parts[0], parts[1])).as(call).isEqualTo(access);
        });
    }

    @Test
    void eachRoleGetsWhatItsDescriptionSays() {
        assertThat(Access.READ.allows(AclRole.agent)).isFalse();
        assertThat(Access.NODE.allows(AclRole.operate)).isFalse();
        assertThat(Access.NODE_READ.allows(AclRole.agent)).isTrue();
        assertThat(Access.ADMIN.allows(AclRole.operate)).isFalse();
        assertThat(Access.PEER.allows(AclRole.admin)).isFalse();
        assertThat(Access.OPERATE.needed()).isEqualTo("role operate or admin");
    }
}
