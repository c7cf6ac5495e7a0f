package io.capstan.agent;

import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.wire.NodeAssignment;
import io.capstan.model.wire.NodeReport;
import io.capstan.model.wire.HeartbeatAnswer;
import io.capstan.model.wire.NodeCommandResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** The agent's side of the protocol with the servers: register, heartbeat, watch assignments, report, fetch packages. */
public interface ControlPlane extends AutoCloseable {

    /** Registers (or re-registers) the node; it is Up afterwards. */
    void register(NodeDescription node) throws IOException, InterruptedException;

    /**
     * Empty when the server does not know the node (register again); otherwise when the server asks for the next
     * heartbeat (the interval grows with the cluster, so the leader absorbs a bounded rate; zero if it did not say)
     * and the operator commands waiting for the node.
     */
    java.util.Optional<HeartbeatAnswer> heartbeat(String node) throws IOException, InterruptedException;

    /** Posts how a command the heartbeat brought went. */
    void commandResult(String node, String commandId, NodeCommandResult result) throws IOException, InterruptedException;

    /** The node's assignment once the state index is past {@code index}, or after {@code wait} at the latest. */
    NodeAssignment assignment(String node, long index, Duration wait) throws IOException, InterruptedException;

    void report(NodeReport report) throws IOException, InterruptedException;

    /** Downloads the application package (tar.gz) with this digest into {@code target}. */
    void downloadPackage(String digest, Path target) throws IOException, InterruptedException;

    /**
     * Asks the naming service where {@code app}/{@code service} is, with the caller's query ({@code partitionKey},
     * {@code secondaries}, {@code index}, {@code wait}) passed as written; the answer as the server gave it.
     */
    default NamingAnswer resolve(String app, String service, String rawQuery) throws IOException, InterruptedException {
        throw new ControlPlaneException(501, "this control plane does not resolve names");
    }

    /** A naming answer passed on as is: status and JSON body. */
    record NamingAnswer(int status, String body) {
    }

    @Override
    default void close() {
    }
}
