package io.capstan.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.cluster.NodeDescription;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** ACL tokens and the audit trail in the replicated state: one bootstrap, revocation, bounded audit, kept by snapshots. */
class AclStateTest {

    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");

    private final ClusterState state = new ClusterState();

    private static AclToken token(String name, AclRole role) {
        return new AclToken(UUID.randomUUID().toString(), name, role, "ab".repeat(32), T0, null);
    }

    @Test
    void theAclsAreBootstrappedOnceAndTokensAreRevoked() {
        AclToken admin = token("bootstrap", AclRole.admin);
        assertThat(state.apply(1, new ClusterCommand.BootstrapAcl(admin, T0)).applied()).isTrue();

        CommandResult again = state.apply(2, new ClusterCommand.BootstrapAcl(token("again", AclRole.admin), T0));
        assertThat(again.applied()).isFalse();
        assertThat(again.code()).isEqualTo(Rejection.Code.CONFLICT);
        assertThat(again.message()).contains("bootstrapped already").contains("capstan acl token create");

        AclToken reader = token("reader", AclRole.read);
        assertThat(state.apply(3, new ClusterCommand.CreateAclToken(reader, T0)).applied()).isTrue();
        assertThat(state.apply(4, new ClusterCommand.RevokeAclToken(reader.id(), T0)).applied()).isTrue();
        assertThat(state.apply(5, new ClusterCommand.RevokeAclToken(reader.id(), T0)).code()).isEqualTo(Rejection.Code.NOT_FOUND);

        assertThat(state.snapshot().aclTokens()).containsOnlyKeys(admin.id());
        ClusterState restored = ClusterState.restore(ClusterState.persisted(state.snapshot()));
        assertThat(restored.snapshot().aclTokens()).isEqualTo(state.snapshot().aclTokens());
        assertThat(restored.snapshot().aclBootstrappedAt()).isEqualTo(T0);
    }

    @Test
    void aTokenWithoutAHashOrWithAnExpiryBeforeItsCreationIsRefused() {
        AclToken plain = new AclToken(UUID.randomUUID().toString(), "plain", AclRole.read, "not-a-hash", T0, null);
        AclToken expired = new AclToken(UUID.randomUUID().toString(), "old", AclRole.read, "ab".repeat(32), T0, T0);

        assertThat(state.apply(1, new ClusterCommand.CreateAclToken(plain, T0)).message()).startsWith("token.secretHash");
        assertThat(state.apply(2, new ClusterCommand.CreateAclToken(expired, T0)).message()).startsWith("ttl");
        assertThat(state.snapshot().aclTokens()).isEmpty();
    }

    @Test
    void anAuditedWriteIsAppliedWithItsRecordAndARefusedOneLeavesNoRecord() {
        var register = new ClusterCommand.RegisterNode(new NodeDescription("n1", "127.0.0.1", "fd:/r1", "UD0",
                Map.of("cpu", 2.0), Map.of()), T0);
        AuditRecord who = new AuditRecord(0, T0, "node:n1", "id-1", "POST", "/v1/nodes", "node.register");
        assertThat(state.apply(1, new ClusterCommand.Audited(who, register)).applied()).isTrue();
        CommandResult refused = state.apply(2, new ClusterCommand.Audited(who,
                new ClusterCommand.RemoveNode("n1", T0)));

        assertThat(refused.applied()).isFalse();
        assertThat(state.snapshot().nodes()).containsKey("n1");
        assertThat(state.snapshot().audit()).containsExactly(Map.entry(1L, who.at(1)));
        assertThat(ClusterState.restore(ClusterState.persisted(state.snapshot())).snapshot().audit())
                .isEqualTo(state.snapshot().audit());
    }

    @Test
    void theAuditTrailKeepsTheNewestRecordsOnly() {
        int history = StateLimits.DEFAULT.auditHistory();
        for (int i = 1; i <= history + 5; i++) {
            state.apply(i, new ClusterCommand.Audited(new AuditRecord(0, T0, "op", null, "POST", "/v1/health/reports", "server.announce"),
                    new ClusterCommand.AnnounceServer("s1", "http://10.0.0.1:" + (1000 + i), T0)));
        }
        assertThat(state.snapshot().audit()).hasSize(history);
        assertThat(state.snapshot().audit().firstKey()).isEqualTo(6L);
    }
}
