package io.capstan.state;

/**
 * Validates and applies the commands of one group. {@code check} reads the state before the command and
 * changes nothing; {@code apply} is called only for a command that passed it, and works on the next version.
 */
sealed interface CommandHandler<C extends ClusterCommand>
        permits NodeCommands, ApplicationCommands, PlacementApplier, HealthCommands, AgentReports, UpgradeCommands,
        MemberCommands, AclCommands {

    /** Why the command cannot be applied, or null when it can. */
    Rejection check(StateChange state, C command);

    void apply(StateChange state, C command);
}
