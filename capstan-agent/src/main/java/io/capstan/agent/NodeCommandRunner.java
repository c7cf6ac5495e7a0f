package io.capstan.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.agent.image.ImagePruner;
import io.capstan.agent.image.UnpackedImage;
import io.capstan.model.CapstanJson;
import io.capstan.model.Durations;
import io.capstan.model.wire.NodeCommand;
import io.capstan.model.wire.NodeCommandResult;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the operator commands heartbeat answers bring ({@code capstan image list|pull|prune --node N}), each on its
 * own virtual thread, and posts each outcome back. A command already running (the server sent it twice) runs once.
 */
final class NodeCommandRunner {

    private static final Logger log = LoggerFactory.getLogger(NodeCommandRunner.class);
    private static final int RESULT_ATTEMPTS = 5;

    private final String node;
    private final ControlPlane controlPlane;
    private final Supplier<ActivationManager> manager;
    private final ObjectMapper json = CapstanJson.newMapper();
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    NodeCommandRunner(String node, ControlPlane controlPlane, Supplier<ActivationManager> manager) {
        this.node = node;
        this.controlPlane = controlPlane;
        this.manager = manager;
    }

    /** Starts the command; never blocks. */
    void accept(NodeCommand command) {
        if (command == null || command.id() == null || !running.add(command.id())) {
            return;
        }
        Thread.ofVirtual().name("capstan-command-" + command.id()).start(() -> {
            try {
                post(command, run(command));
            } finally {
                running.remove(command.id());
            }
        });
    }

    private NodeCommandResult run(NodeCommand command) {
        ActivationManager m = manager.get();
        if (m == null) {
            return NodeCommandResult.failure("the agent of node " + node + " is not running its activations yet");
        }
        try {
            JsonNode result = switch (command.kind()) {
                case ImageList -> {
                    List<ImagePruner.ImageInfo> images = m.images().list();
                    long total = images.stream().mapToLong(ImagePruner.ImageInfo::sizeBytes).sum();
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("images", images);
                    out.put("totalBytes", total);
                    out.put("keepUnused", Durations.format(m.images().policy().keepUnused()));
                    out.put("maxBytes", m.images().policy().maxBytes());
                    yield json.valueToTree(out);
                }
                case ImagePull -> {
                    UnpackedImage image = m.pullImage(command.reference());
                    yield json.valueToTree(Map.of("reference", command.reference(), "digest", image.digest().toString()));
                }
                case ImagePrune -> json.valueToTree(m.images().pruneUnused());
            };
            log.info("command {} {} on node {} done", command.kind(), command.reference() == null ? "" : command.reference(), node);
            return NodeCommandResult.success(result);
        } catch (IOException | RuntimeException e) {
            log.warn("command {} on node {} failed: {}", command.kind(), node, e.toString());
            return NodeCommandResult.failure(e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NodeCommandResult.failure("the agent of node " + node + " is shutting down");
        }
    }

    /** The outcome, retried a few times: the servers may be briefly unreachable. */
    private void post(NodeCommand command, NodeCommandResult result) {
        Duration delay = Duration.ofMillis(500);
        for (int attempt = 1; attempt <= RESULT_ATTEMPTS; attempt++) {
            try {
                controlPlane.commandResult(node, command.id(), result);
                return;
            } catch (IOException | RuntimeException e) {
                if (attempt == RESULT_ATTEMPTS) {
                    log.warn("cannot post the result of command {} on node {}: {}", command.id(), node, e.toString());
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                // Why a fixed delay: a short pause before asking an unreachable server again, doubling.
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            delay = delay.multipliedBy(2);
        }
    }
}
