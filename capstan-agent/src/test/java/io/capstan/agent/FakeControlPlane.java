package io.capstan.agent;

import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.wire.NodeAssignment;
import io.capstan.model.wire.NodeReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** An in-memory server side of the protocol, with a real blocking query, for driving a whole NodeAgent. */
final class FakeControlPlane implements ControlPlane {

    final List<NodeDescription> registrations = new CopyOnWriteArrayList<>();
    final List<NodeReport> reports = new CopyOnWriteArrayList<>();
    final Map<String, byte[]> packages = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition published = lock.newCondition();
    private NodeAssignment current;
    private volatile boolean forget;

    void publish(NodeAssignment a) {
        lock.lock();
        try {
            current = a;
            published.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The next heartbeat answers 404, as a server that lost the node would. */
    void forgetNode() {
        forget = true;
    }

    NodeReport lastReport() {
        return reports.isEmpty() ? null : reports.getLast();
    }

    @Override
    public void register(NodeDescription node) {
        registrations.add(node);
    }

    @Override
    public java.util.Optional<io.capstan.model.wire.HeartbeatAnswer> heartbeat(String node) {
        if (forget) {
            forget = false;
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new io.capstan.model.wire.HeartbeatAnswer(0, 0, java.util.List.of()));
    }

    @Override
    public void commandResult(String node, String commandId, io.capstan.model.wire.NodeCommandResult result) {
        throw new UnsupportedOperationException("no commands through the fake control plane");
    }

    @Override
    public NodeAssignment assignment(String node, long index, Duration wait) throws InterruptedException {
        lock.lock();
        try {
            long left = wait.toNanos();
            while ((current == null || current.index() <= index) && left > 0) {
                left = published.awaitNanos(left);
            }
            return current != null ? current : new NodeAssignment(node, index, List.of());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void report(NodeReport report) {
        reports.add(report);
    }

    @Override
    public void downloadPackage(String digest, Path target) throws IOException {
        byte[] bytes = packages.get(digest);
        if (bytes == null) {
            throw new ControlPlaneException(404, "no package " + digest);
        }
        Files.write(target, bytes);
    }

}
