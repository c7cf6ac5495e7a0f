package io.capstan.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.model.wire.NodeCommand;
import io.capstan.model.wire.NodeCommandResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Operator commands for node agents ({@code capstan image ...}), kept in this server's memory: a command waits until
 * its node's next heartbeat takes it, then until the agent posts its result. Nothing here is cluster state, so
 * nothing goes through the Raft log; a command reaches a node only through the server that node heartbeats to.
 * Bounded: a few unfinished commands per node, finished ones kept for a while; a command nobody takes or answers
 * fails after {@link #GIVE_UP}.
 */
final class NodeCommandQueue {

    static final int MAX_UNFINISHED_PER_NODE = 8;
    static final int MAX_KEPT_PER_NODE = 64;
    static final Duration GIVE_UP = Duration.ofMinutes(10);
    static final Duration KEEP_FINISHED = Duration.ofMinutes(10);

    /** Where a command is. */
    enum State { Pending, Sent, Succeeded, Failed }

    /** A command as the API shows it. */
    record CommandView(String id, String node, NodeCommand.Kind kind,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String reference, State state, Instant submittedAt,
                       Instant sentAt, Instant finishedAt, JsonNode result, String error) {
    }

    private final Clock clock;
    /** Per node, in submission order; guarded by this. */
    private final Map<String, LinkedHashMap<String, CommandView>> byNode = new LinkedHashMap<>();

    NodeCommandQueue(Clock clock) {
        this.clock = clock;
    }

    synchronized CommandView submit(String node, NodeCommand.Kind kind, String reference) {
        LinkedHashMap<String, CommandView> commands = tidy(node);
        long unfinished = commands.values().stream().filter(c -> c.state() == State.Pending || c.state() == State.Sent).count();
        if (unfinished >= MAX_UNFINISHED_PER_NODE) {
            throw new ApiException(409, "TOO_MANY_COMMANDS", "node " + node + " has " + unfinished + " commands that have not finished; wait for"
                    + " them (each one's GET /v1/nodes/" + node + "/commands/{id}) before sending more");
        }
        CommandView c = new CommandView(UUID.randomUUID().toString(), node, kind, reference, State.Pending,
                clock.instant(), null, null, null, null);
        commands.put(c.id(), c);
        while (commands.size() > MAX_KEPT_PER_NODE) {
            commands.remove(commands.keySet().iterator().next());
        }
        return c;
    }

    /** The node's pending commands, now sent: what its heartbeat answer carries. */
    synchronized List<NodeCommand> take(String node) {
        LinkedHashMap<String, CommandView> commands = byNode.get(node);
        if (commands == null) {
            return List.of();
        }
        List<NodeCommand> out = new ArrayList<>();
        Instant now = clock.instant();
        for (CommandView c : List.copyOf(commands.values())) {
            if (c.state() == State.Pending) {
                commands.put(c.id(), new CommandView(c.id(), c.node(), c.kind(), c.reference(), State.Sent,
                        c.submittedAt(), now, null, null, null));
                out.add(new NodeCommand(c.id(), c.kind(), c.reference()));
            }
        }
        return out;
    }

    /** The agent's answer; a command already finished (or given up) keeps its first outcome. */
    synchronized CommandView complete(String node, String id, NodeCommandResult result) {
        CommandView c = find(node, id);
        if (c.state() == State.Succeeded || c.state() == State.Failed) {
            return c;
        }
        CommandView done = new CommandView(c.id(), c.node(), c.kind(), c.reference(),
                result.succeeded() ? State.Succeeded : State.Failed, c.submittedAt(), c.sentAt(), clock.instant(),
                result.succeeded() ? result.result() : null, result.succeeded() ? null : result.error());
        byNode.get(node).put(id, done);
        notifyAll();
        return done;
    }

    /** The command, once finished or after {@code wait} at the latest. */
    synchronized CommandView await(String node, String id, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        CommandView c = find(node, id);
        while (c.state() != State.Succeeded && c.state() != State.Failed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            // Woken by complete(); the timed wait also lets tidy() give up on a command nobody answers.
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
            c = find(node, id);
        }
        return c;
    }

    /** A removed node's commands go with it. */
    synchronized void forget(String node) {
        byNode.remove(node);
    }

    private CommandView find(String node, String id) {
        CommandView c = tidy(node).get(id);
        if (c == null) {
            throw ApiException.notFound("node " + node + " has no command " + id + " (finished commands are kept "
                    + KEEP_FINISHED.toMinutes() + " minutes)");
        }
        return c;
    }

    /** Fails what waited too long and drops finished commands past their keeping time. */
    private LinkedHashMap<String, CommandView> tidy(String node) {
        LinkedHashMap<String, CommandView> commands = byNode.computeIfAbsent(node, n -> new LinkedHashMap<>());
        Instant now = clock.instant();
        for (CommandView c : List.copyOf(commands.values())) {
            boolean finished = c.state() == State.Succeeded || c.state() == State.Failed;
            if (finished && c.finishedAt().plus(KEEP_FINISHED).isBefore(now)) {
                commands.remove(c.id());
            } else if (!finished && c.submittedAt().plus(GIVE_UP).isBefore(now)) {
                commands.put(c.id(), new CommandView(c.id(), c.node(), c.kind(), c.reference(), State.Failed,
                        c.submittedAt(), c.sentAt(), now, null, c.state() == State.Pending
                                ? "node " + node + " did not take the command within " + GIVE_UP.toMinutes()
                                + " minutes: is its agent running and heartbeating to this server?"
                                : "the agent of node " + node + " did not answer within " + GIVE_UP.toMinutes() + " minutes"));
            }
        }
        return commands;
    }
}
