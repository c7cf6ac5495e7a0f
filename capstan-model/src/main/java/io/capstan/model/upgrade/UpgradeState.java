package io.capstan.model.upgrade;

/**
 * Where an application upgrade is (Service Fabric's ApplicationUpgradeState). RollingForwardPending waits for
 * {@code capstan upgrade resume}; Failed stopped on a failure with failure action Manual and waits for resume
 * or rollback. The completed states are final.
 */
public enum UpgradeState {
    RollingForwardInProgress, RollingForwardPending, RollingForwardCompleted,
    RollingBackInProgress, RollingBackCompleted, Failed;

    /** True while the upgrade holds the application: another may not start, and domains may run either version. */
    public boolean isActive() {
        return this != RollingForwardCompleted && this != RollingBackCompleted;
    }
}
