package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code capstan image list|pull|prune --node N}: the images a node's agent keeps. The server hands each one to the
 * node's agent as a command with its next heartbeat and the CLI waits for the agent's answer.
 */
@Command(name = "image", synopsisSubcommandLabel = "COMMAND", description = "Container images on a node.",
        subcommands = {ImageCommands.ListImages.class, ImageCommands.PullImage.class, ImageCommands.PruneImages.class})
final class ImageCommands extends GroupCommand {

    /** What every image command shares: the node, how long to wait, and the round trip through the server. */
    abstract static class NodeImageCommand extends ApiCommand {
        @Option(names = "--node", required = true, converter = Converters.Name.class, description = "The node.")
        String node;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", converter = Converters.Timeout.class,
                description = "How long to wait for the node's agent to answer (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        /** Sends the command, waits for the agent's answer; returns the finished command (its result on success). */
        ApiResponse run(String kind, String reference) {
            ObjectNode body = object();
            body.put("kind", kind);
            if (reference != null) {
                body.put("reference", reference);
            }
            ApiResponse submitted = api().post(ApiClient.path("v1", "nodes", node, "commands"), body);
            String id = Json.text(submitted.json(), "id");
            String path = ApiClient.path("v1", "nodes", node, "commands", id);
            Instant deadline = context().clock().instant().plus(timeout);
            ApiResponse last = submitted;
            while (true) {
                String state = Json.text(last.json(), "state");
                if ("Succeeded".equals(state)) {
                    return last;
                }
                if ("Failed".equals(state)) {
                    throw new CliException("node " + node + ": " + Json.text(last.json(), "error"));
                }
                Duration left = Duration.between(context().clock().instant(), deadline);
                if (left.isNegative() || left.isZero()) {
                    throw new CliException("node " + node + " did not answer within " + io.capstan.model.Durations.format(timeout)
                            + " (command " + id + " is " + state + "; see GET " + path + ")");
                }
                last = api().getBlocking(path, 0, left.compareTo(Duration.ofSeconds(20)) > 0 ? Duration.ofSeconds(20) : left);
            }
        }
    }

    @Command(name = "list", description = "List the node's images: digest, names, size, whether an activation uses it,"
            + " and when it was last used.")
    static final class ListImages extends NodeImageCommand {
        @Override
        public Integer call() {
            ApiResponse done = run("ImageList", null);
            if (json()) {
                printBody(done);
                return 0;
            }
            JsonNode result = done.json().path("result");
            Table t = new Table("DIGEST", "NAMES", "SIZE MiB", "IN USE", "LAST USED");
            for (JsonNode i : result.path("images")) {
                t.row(Json.text(i, "digest"), Json.joined(i.path("references")), mib(i.path("sizeBytes").asLong()),
                        i.path("inUse").asBoolean() ? "yes" : "no", Json.text(i, "lastUsedAt"));
            }
            if (t.isEmpty()) {
                info("node " + node + " has no images");
            } else {
                out().print(t.render());
            }
            out().println(mib(result.path("totalBytes").asLong()) + " MiB in all; unused images are removed after "
                    + Json.text(result, "keepUnused") + ", or sooner while all images hold more than "
                    + mib(result.path("maxBytes").asLong()) + " MiB");
            out().flush();
            return 0;
        }
    }

    @Command(name = "pull", description = "Pull an image onto the node by reference (registry/repository:tag or @sha256:...),"
            + " with the node's registry credentials.")
    static final class PullImage extends NodeImageCommand {
        @Parameters(paramLabel = "REFERENCE", description = "e.g. registry.example.com:5000/team/web:1.4")
        String reference;

        @Override
        public Integer call() {
            ApiResponse done = run("ImagePull", reference);
            if (json()) {
                printBody(done);
            } else {
                result("pulled " + reference + " onto " + node + " as " + Json.text(done.json().path("result"), "digest"));
            }
            return 0;
        }
    }

    @Command(name = "prune", description = "Remove every image on the node that no activation uses.")
    static final class PruneImages extends NodeImageCommand {
        @Override
        public Integer call() {
            ApiResponse done = run("ImagePrune", null);
            if (json()) {
                printBody(done);
            } else {
                JsonNode r = done.json().path("result");
                StringBuilder sb = new StringBuilder();
                r.path("removed").forEach(d -> sb.append("removed ").append(d.asText()).append('\n'));
                sb.append("node ").append(node).append(": ").append(r.path("removed").size()).append(" image(s) removed, ")
                        .append(mib(r.path("freedBytes").asLong())).append(" MiB freed");
                result(sb.toString());
            }
            return 0;
        }
    }

    static String mib(long bytes) {
        return new java.math.BigDecimal(bytes / (1024.0 * 1024.0)).setScale(1, java.math.RoundingMode.HALF_UP).toPlainString();
    }
}
