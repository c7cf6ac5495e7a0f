package io.capstan.agent;

import io.capstan.model.wire.NodeAssignment;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a blocking query on the node's assignment ({@code ?index=N&wait=...}) and converges to every answer;
 * on errors backs off 1 s doubling to 10 s (cut short when the servers answer heartbeats again) and keeps going.
 */
final class AssignmentWatcher implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(AssignmentWatcher.class);

    private final ControlPlane controlPlane;
    private final ActivationManager manager;
    private final String node;
    private final Duration wait;
    private final ServerContact contact;

    AssignmentWatcher(ControlPlane controlPlane, ActivationManager manager, String node, Duration wait, ServerContact contact) {
        this.contact = contact;
        this.controlPlane = controlPlane;
        this.manager = manager;
        this.node = node;
        this.wait = wait;
    }

    @Override
    public void run() {
        RetryDelay retry = new RetryDelay(Duration.ofSeconds(1), Duration.ofSeconds(10));
        long index = 0;
        boolean failing = false;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    NodeAssignment a = controlPlane.assignment(node, index, wait);
                    if (a.node() != null && !a.node().equals(node)) {
                        throw new IllegalStateException("asked for node " + node + "'s assignment, got node " + a.node() + "'s");
                    }
                    if (a.index() != index) {
                        log.debug("node {} assignment at index {}: {} activations", node, a.index(), a.activations().size());
                    }
                    // Converging is idempotent, so a timed-out query (same index) just confirms the state.
                    // An index lower than ours means the servers' state was reset: follow it.
                    manager.converge(a);
                    index = a.index();
                    retry.reset();
                    if (failing) {
                        log.info("node {} receives assignments again", node);
                        failing = false;
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    if (!failing) {
                        log.warn("node {}: cannot get the assignment: {}", node, e.toString());
                        failing = true;
                    }
                    // The server is unreachable: back off (1s doubling to 10s) rather than hammer it, until it answers again.
                    contact.backOff(retry.next());
                }
            }
        } catch (InterruptedException e) {
            // Closing.
        }
    }
}
