package io.capstan.state;

import io.capstan.model.Names;
import io.capstan.state.ClusterCommand.AclCommand;
import io.capstan.state.ClusterCommand.BootstrapAcl;
import io.capstan.state.ClusterCommand.CreateAclToken;
import io.capstan.state.ClusterCommand.RevokeAclToken;

/** The ACL tokens: the one-time bootstrap of the first admin token, then tokens created and revoked by admins. */
final class AclCommands implements CommandHandler<AclCommand> {

    /** More than any cluster needs; bounds the table (every request's token is looked up in it). */
    static final int MAX_TOKENS = 10_000;

    @Override
    public Rejection check(StateChange state, AclCommand command) {
        return switch (command) {
            case BootstrapAcl c -> {
                if (state.aclBootstrappedAt() != null) {
                    yield Rejection.conflict("the ACLs were bootstrapped already (at " + state.aclBootstrappedAt()
                            + "); there is one bootstrap per cluster: create more tokens with an admin token, "
                            + "`capstan acl token create --role ...`");
                }
                yield tokenProblem(state, c.token());
            }
            case CreateAclToken c -> tokenProblem(state, c.token());
            case RevokeAclToken c -> c.id() == null || state.aclToken(c.id()) == null
                    ? Rejection.notFound("id: there is no token " + c.id() + "; `capstan acl token list` shows their ids")
                    : null;
        };
    }

    private static Rejection tokenProblem(StateChange state, AclToken t) {
        if (t == null) {
            return Rejection.invalid("token: missing");
        }
        if (t.id() == null || !t.id().matches("[0-9a-f-]{36}")) {
            return Rejection.invalid("token.id: must be a UUID");
        }
        if (state.aclToken(t.id()) != null) {
            return Rejection.exists("token.id: a token " + t.id() + " exists already");
        }
        String nameProblem = t.name() == null ? "is missing" : Names.problem(t.name());
        if (nameProblem != null) {
            return Rejection.invalid("name: token name " + nameProblem);
        }
        if (t.role() == null) {
            return Rejection.invalid("role: give one of read, operate, admin, agent");
        }
        if (t.node() != null && (t.role() != AclRole.agent || Names.problem(t.node()) != null)) {
            return Rejection.invalid("node: only an agent token is bound to a node, and it needs a valid node name");
        }
        if (t.secretHash() == null || !t.secretHash().matches("[0-9a-f]{64}")) {
            return Rejection.invalid("token.secretHash: must be a SHA-256 in hex");
        }
        if (t.createdAt() == null || (t.expiresAt() != null && !t.expiresAt().isAfter(t.createdAt()))) {
            return Rejection.invalid("ttl: a token must expire after it is created");
        }
        if (state.aclTokenCount() >= MAX_TOKENS) {
            return Rejection.conflict("there are " + MAX_TOKENS + " tokens already; revoke unused ones first");
        }
        return null;
    }

    @Override
    public void apply(StateChange state, AclCommand command) {
        switch (command) {
            case BootstrapAcl c -> {
                state.bootstrapAcl(c.at());
                state.putAclToken(c.token());
                state.event(c.at(), "AclBootstrapped", "acl", "the ACLs were bootstrapped with admin token "
                        + c.token().name() + " (" + c.token().id() + ")");
            }
            case CreateAclToken c -> {
                state.putAclToken(c.token());
                state.event(c.at(), "AclTokenCreated", "acl", "token " + c.token().name() + " (" + c.token().id()
                        + ", role " + c.token().role() + ") created");
            }
            case RevokeAclToken c -> {
                AclToken t = state.aclToken(c.id());
                state.removeAclToken(c.id());
                state.event(c.at(), "AclTokenRevoked", "acl", "token " + t.name() + " (" + t.id() + ") revoked");
            }
        }
    }
}
