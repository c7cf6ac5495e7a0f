package io.capstan.model.cluster;

/**
 * A node's state as the cluster sees it. Disabling: an operator asked to take it out of service and its
 * replicas are being moved off gracefully; Disabled once none are left.
 */
public enum NodeStatus {
    Up, Down, Disabling, Disabled;

    /** Whether an operator took the node out of service (it stays so across restarts and heartbeats). */
    public boolean isDisabled() {
        return this == Disabling || this == Disabled;
    }
}
