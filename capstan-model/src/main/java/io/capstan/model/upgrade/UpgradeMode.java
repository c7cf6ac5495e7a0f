package io.capstan.model.upgrade;

/**
 * How an upgrade moves from one upgrade domain to the next (Service Fabric's RollingUpgradeMode): on health
 * (Monitored), at once (UnmonitoredAuto), or when an operator resumes it (UnmonitoredManual).
 */
public enum UpgradeMode {
    Monitored, UnmonitoredAuto, UnmonitoredManual
}
