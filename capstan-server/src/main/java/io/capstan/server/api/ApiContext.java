package io.capstan.server.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import io.capstan.model.Durations;
import io.capstan.server.acl.AccessControl;
import io.capstan.server.acl.Caller;
import io.capstan.state.AuditRecord;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterStore;
import io.capstan.state.CommandResult;
import io.capstan.state.Watch;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * What every route needs: consistent reads (optionally blocking until the state passes an index),
 * writes through the replicated log with rejections mapped to HTTP statuses, and strict body parsing.
 */
public final class ApiContext {

    /** The header carrying the state index a response was computed at. */
    public static final String INDEX_HEADER = "X-Capstan-Index";
    private static final Duration MAX_WAIT = Duration.ofMinutes(5);
    /** How long a linearizable read waits for a leader to confirm it (an election takes a second or two). */
    static final Duration READ_INDEX_WAIT = Duration.ofSeconds(5);
    private static final Duration READ_RETRY_PAUSE = Duration.ofMillis(100);

    private final ClusterStore store;
    private final Clock clock;
    private final Duration requestTimeout;
    private final ObjectMapper strict = CapstanJson.newMapper().copy()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public ApiContext(ClusterStore store, Clock clock, Duration requestTimeout) {
        this.store = store;
        this.clock = clock;
        this.requestTimeout = requestTimeout;
    }

    public ClusterStore store() {
        return store;
    }

    public Clock clock() {
        return clock;
    }

    /** How long a write may wait to be committed before the request answers 503. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * The state to answer from: the latest (linearizable unless {@code ?stale=true}), or (with
     * {@code ?index=N&wait=D}) the first this server applies after index N.
     */
    public ClusterSnapshot read(Context ctx) {
        String index = ctx.queryParam("index");
        ClusterSnapshot s;
        if (index == null) {
            s = current(ctx);
        } else {
            s = await(() -> store.awaitAfter(indexParam(index), waitParam(ctx)));
        }
        ctx.header(INDEX_HEADER, Long.toString(s.index()));
        return s;
    }

    /**
     * One view of the state, blocking (with {@code ?index=N&wait=D}) until what {@code watch} names changes after
     * index N: other commits do not wake the caller, and the view is computed once, when it is answered. A client
     * without an index, or with 0, is answered at once.
     */
    public <T> T readWatched(Context ctx, Watch watch, Function<ClusterSnapshot, T> view) {
        String index = ctx.queryParam("index");
        long after = index == null ? 0 : indexParam(index);
        ClusterSnapshot s = after <= 0 ? current(ctx) : await(() -> store.awaitChange(watch, after, waitParam(ctx)));
        ctx.header(INDEX_HEADER, Long.toString(s.index()));
        return view.apply(s);
    }

    /**
     * Like {@link #readWatched(Context, Watch, Function)}, but a change of the watched object that leaves
     * {@code content} of the view as it was does not answer either: the query waits on (a gateway watching a
     * service's endpoints is not woken by a replica going from InBuild to Ready elsewhere in it).
     */
    public <T> T readWatched(Context ctx, Watch watch, Function<ClusterSnapshot, T> view, Function<T, ?> content) {
        String index = ctx.queryParam("index");
        long after = index == null ? 0 : indexParam(index);
        ClusterSnapshot s = after <= 0 ? current(ctx) : store.snapshot();
        T answer = view.apply(s);
        if (after > 0 && s.modifyIndex(watch) <= after) {
            Object known = content.apply(answer);
            Duration wait = waitParam(ctx);
            Instant deadline = clock.instant().plus(wait);
            while (true) {
                Duration left = Duration.between(clock.instant(), deadline);
                if (left.isNegative() || left.isZero()) {
                    break;
                }
                long seen = s.modifyIndex(watch);
                s = await(() -> store.awaitChange(watch, seen, left));
                if (s.modifyIndex(watch) == seen) {
                    break; // the wait ran out
                }
                answer = view.apply(s);
                if (!java.util.Objects.equals(content.apply(answer), known)) {
                    break;
                }
            }
        }
        ctx.header(INDEX_HEADER, Long.toString(s.index()));
        return answer;
    }

    /**
     * The state now, as any server would answer it: once this server has applied everything the leader had committed
     * when the read came in (Raft's ReadIndex), so a read through a follower sees every acknowledged write. With
     * {@code ?stale=true}, this server's own state at once, leader or not (it may lag behind). During an election
     * the read is tried again for up to {@link #READ_INDEX_WAIT}.
     */
    public ClusterSnapshot current(Context ctx) {
        if ("true".equals(ctx.queryParam("stale"))) {
            return store.snapshot();
        }
        long deadline = System.nanoTime() + READ_INDEX_WAIT.toNanos();
        while (true) {
            try {
                return store.readIndexSnapshot().get(READ_INDEX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new ApiException(503, "NO_LEADER", "no leader confirmed this read within "
                            + Durations.format(READ_INDEX_WAIT) + " (" + (e.getCause() != null ? e.getCause().getMessage() : e)
                            + "); add ?stale=true to read this server's own state, or check `capstan cluster status`");
                }
                try {
                    Thread.sleep(READ_RETRY_PAUSE); // an election takes about a second: a pause, not a busy loop
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new ApiException(503, "UNAVAILABLE", "the server is shutting down");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(503, "UNAVAILABLE", "the server is shutting down");
            }
        }
    }

    /** A state index from a query parameter, or a 400 that says what to pass. */
    static long indexParam(String index) {
        try {
            return Long.parseLong(index);
        } catch (NumberFormatException e) {
            throw ApiException.invalid("index: '" + index + "' is not a number; pass the X-Capstan-Index of an earlier response");
        }
    }

    private Duration waitParam(Context ctx) {
        Duration wait = duration(ctx, "wait", Duration.ofSeconds(30));
        return wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
    }

    /** A blocking wait on the store; an interrupt means the server is shutting down. */
    private static <T> T await(BlockingRead<T> read) {
        try {
            return read.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "UNAVAILABLE", "the server is shutting down");
        }
    }

    @FunctionalInterface
    private interface BlockingRead<T> {
        T get() throws InterruptedException;
    }

    /** A duration query parameter ({@code 30s}, {@code PT30S}), or the default. */
    public Duration duration(Context ctx, String name, Duration fallback) {
        String text = ctx.queryParam(name);
        if (text == null) {
            return fallback;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(name + ": " + e.getMessage());
        }
    }

    /**
     * Submits a command and waits until it is applied here too, so the response (and the next read
     * on this server) reflects it. A rejection becomes an {@link ApiException}.
     */
    public ClusterSnapshot write(Context ctx, ClusterCommand command) {
        CommandResult result;
        try {
            result = store.submit(audited(ctx, command)).get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ApiException(503, "NO_LEADER", "the control plane did not commit the change within "
                    + Durations.format(requestTimeout) + "; check `capstan cluster status` for a leader");
        } catch (ExecutionException e) {
            throw new ApiException(503, "NO_LEADER", "the control plane could not commit the change: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "UNAVAILABLE", "the server is shutting down");
        }
        if (!result.applied()) {
            int status = switch (result.code()) {
                case NOT_FOUND -> 404;
                case INVALID, INTERNAL -> 400;
                default -> 409;
            };
            throw new ApiException(status, result.code().name(), result.message());
        }
        ClusterSnapshot s = await(() -> store.awaitAfter(result.index() - 1, requestTimeout));
        ctx.header(INDEX_HEADER, Long.toString(s.index()));
        return s;
    }

    /** The command with who sent it and through which call, so the state keeps both in its audit trail. */
    private ClusterCommand audited(Context ctx, ClusterCommand command) {
        Caller caller = AccessControl.caller(ctx);
        String node = command instanceof ClusterCommand.RegisterNode r ? r.node().name()
                : ctx.pathParamMap().get("name");
        return new ClusterCommand.Audited(new AuditRecord(0, command.at(), caller.actor(node), caller.tokenId(),
                ctx.method().name(), ctx.path(), ClusterCommand.typeName(command)), command);
    }

    /** Parses a JSON body strictly: unknown fields and wrong types are named in a 400. */
    public <T> T body(Context ctx, Class<T> type) {
        try {
            T value = strict.readValue(ctx.bodyAsBytes(), type);
            if (value == null) {
                throw ApiException.invalid("the request needs a JSON body");
            }
            return value;
        } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
            throw ApiException.invalid("unknown field '" + e.getPropertyName() + "'; known fields: " + e.getKnownPropertyIds());
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            String path = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce((a, b) -> a + "." + b).orElse("body");
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            if (root instanceof NullPointerException) {
                // Records copy their lists with List.copyOf, which refuses null elements.
                throw ApiException.invalid(path + ": a list in the body has an empty (null) entry; remove it");
            }
            throw ApiException.invalid(path + ": " + (root instanceof IllegalArgumentException ? root.getMessage()
                    : e.getOriginalMessage()));
        } catch (IOException e) {
            throw ApiException.invalid("the body is not valid JSON: " + e.getMessage());
        }
    }
}
