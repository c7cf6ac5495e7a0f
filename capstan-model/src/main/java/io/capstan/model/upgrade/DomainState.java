package io.capstan.model.upgrade;

/**
 * One upgrade domain's progress. InProgress and Completed domains run the target version; Pending, RollingBack
 * and RolledBack ones run the version the upgrade started from.
 */
public enum DomainState {
    Pending, InProgress, Completed, RollingBack, RolledBack;

    public boolean runsTarget() {
        return this == InProgress || this == Completed;
    }
}
