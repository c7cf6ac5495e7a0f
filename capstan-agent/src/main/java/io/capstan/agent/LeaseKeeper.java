package io.capstan.agent;

import io.capstan.model.wire.NodeAssignment;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fences the node's Primaries while its {@link NodeLease} is lost: the moment the lease runs out, every replica this
 * node hosts as Primary is demoted in its replicas file ({@link ActivationManager#fence}); nothing restarts and
 * stateless instances are untouched. Once heartbeats are answered again, it reads the node's assignment afresh (a
 * linearizable read, so it holds whatever the cluster decided meanwhile), converges to it and only then lifts the
 * fence: a replica the cluster moved or demoted stays demoted, one it kept Primary is Primary again.
 */
final class LeaseKeeper implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final NodeLease lease;
    private final ControlPlane controlPlane;
    private final ActivationManager manager;
    private final String node;
    private final Duration retry;

    /** @param retry how long to wait before reading the assignment again after a failed read */
    LeaseKeeper(NodeLease lease, ControlPlane controlPlane, ActivationManager manager, String node, Duration retry) {
        this.lease = lease;
        this.controlPlane = controlPlane;
        this.manager = manager;
        this.node = node;
        this.retry = retry;
    }

    @Override
    public void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                lease.awaitLoss();
                manager.fence("node " + node + " holds no lease (no heartbeat answered by the leader within it)");
                reconcile();
            }
        } catch (InterruptedException e) {
            // Closing.
        }
    }

    /** Waits for the lease, then lifts the fence on a fresh assignment read while it is held. */
    private void reconcile() throws InterruptedException {
        while (true) {
            if (!lease.awaitHeld(retry)) {
                continue;
            }
            try {
                NodeAssignment fresh = controlPlane.assignment(node, 0, Duration.ZERO);
                // Lifted only if the lease still held once the answer came: else the answer may be older than a
                // decision taken while this node was silent again.
                if (manager.liftFence(fresh, lease::held)) {
                    log.info("node {} holds its lease again: replicas as the cluster assigns them (index {})", node,
                            fresh.index());
                    return;
                }
            } catch (java.io.IOException | RuntimeException e) {
                log.debug("node {}: cannot read the assignment to lift the fence: {}", node, e.toString());
                // Why a fixed delay: the server just answered a heartbeat but not this read; retry soon, not in a busy loop.
                Thread.sleep(retry);
            }
        }
    }
}
