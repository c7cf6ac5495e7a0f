package io.capstan.state;

/**
 * Bounds on what one command may put into the state, so no request can exhaust the servers' memory. Every
 * server of a cluster must use the same limits (they decide, deterministically, what is rejected).
 */
public record StateLimits(
        int maxPartitionsPerService,
        int maxReplicasPerPartition,
        int maxHealthReportsPerEntity,
        int maxHealthReportsPerCommand,
        int maxTextChars,
        int maxActivationsPerNode,
        int maxCodePackagesPerActivation,
        int maxPlacementsPerCommand,
        int maxNodeAttributes,
        int eventHistory,
        int auditHistory) {

    /** The limits every Capstan server uses. */
    public static final StateLimits DEFAULT = new StateLimits(1_000_000, 1_000, 100, 1_000, 8_192, 10_000, 64,
            100_000, 64, 10_000, 10_000);
}
