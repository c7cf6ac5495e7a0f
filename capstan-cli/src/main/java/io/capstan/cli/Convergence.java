package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.model.Durations;
import io.capstan.model.ServiceName;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code --wait}: follows the cluster with blocking reads ({@code ?index=N&wait=…}, N from
 * {@code X-Capstan-Index}) until it has converged, printing progress to stderr as it changes; fails at
 * once on a placement problem and, at the deadline, with what is still missing.
 */
final class Convergence {

    /** The longest single blocking read; the deadline cuts the last one short. */
    static final Duration MAX_BLOCK = Duration.ofSeconds(30);
    /** Only when a server omits {@code X-Capstan-Index}: how long to pause between reads. */
    static final Duration FALLBACK_PAUSE = Duration.ofSeconds(1);

    private final ApiClient api;
    private final CliContext context;
    private final PrintWriter progress;
    private final Duration timeout;
    private final Map<String, String> lastProgress = new HashMap<>();

    Convergence(ApiClient api, CliContext context, PrintWriter progress, Duration timeout) {
        this.api = api;
        this.context = context;
        this.progress = progress;
        this.timeout = timeout;
    }

    /** Waits until the service view says {@code converged}; returns that last answer. */
    ApiResponse service(ServiceName name) {
        String path = ApiClient.servicePath(name);
        JsonNode[] last = new JsonNode[1];
        return poll(path, response -> {
            JsonNode view = response.json();
            last[0] = view;
            String problem = Json.problem(view);
            if (problem != null) {
                throw new CliException("cannot place " + name.uri() + ": " + problem);
            }
            report(name.service(), serviceProgress(view));
            return view.path("converged").asBoolean(false) ? Optional.of(response) : Optional.empty();
        }, () -> "waiting for " + name.uri() + " to converge: " + serviceMissing(last[0]));
    }

    /** Waits until the application view says {@code converged}, failing if any service cannot be placed. */
    ApiResponse application(String app) {
        String path = ApiClient.path("v1", "apps", app);
        String servicesPath = ApiClient.path("v1", "apps", app, "services");
        List<JsonNode> services = new ArrayList<>();
        return poll(path, response -> {
            JsonNode view = response.json();
            services.clear();
            services.addAll(Json.items(api.get(servicesPath).json()));
            List<String> problems = new ArrayList<>();
            for (JsonNode service : services) {
                String problem = Json.problem(service);
                String uri = "capstan:/" + app + "/" + Json.text(service, "name");
                if (problem != null) {
                    problems.add(uri + ": " + problem);
                }
                report(Json.text(service, "name"), serviceProgress(service));
            }
            if (!problems.isEmpty()) {
                throw new CliException("cannot place every service of capstan:/" + app, problems);
            }
            return view.path("converged").asBoolean(false) ? Optional.of(response) : Optional.empty();
        }, () -> {
            List<String> missing = new ArrayList<>();
            for (JsonNode service : services) {
                if (!service.path("converged").asBoolean(false)) {
                    missing.add(Json.text(service, "name") + " " + serviceMissing(service));
                }
            }
            return "waiting for capstan:/" + app + " to converge: "
                    + (missing.isEmpty() ? "not converged yet" : String.join("; ", missing));
        });
    }

    /** Waits until no deployed service package of {@code app} lists any of {@code replicaIds}. */
    void replicasGone(ServiceName name, Set<Long> replicaIds) {
        if (replicaIds.isEmpty()) {
            return;
        }
        String path = ApiClient.withQuery(ApiClient.path("v1", "deployed"), Map.of("application", name.application()));
        Map<String, Integer> remaining = new LinkedHashMap<>();
        pollGone(path, response -> {
            remaining.clear();
            for (JsonNode item : Json.items(response.json())) {
                for (JsonNode id : item.path("replicaIds")) {
                    if (replicaIds.contains(id.asLong())) {
                        remaining.merge(Json.text(item, "node"), 1, Integer::sum);
                    }
                }
            }
            int count = remaining.values().stream().mapToInt(Integer::intValue).sum();
            report(name.service(), count == 0 ? "all replicas stopped"
                    : count + " replica(s) still deployed on " + String.join(", ", new TreeSet<>(remaining.keySet())));
            return count == 0 ? Optional.of(response) : Optional.empty();
        }, () -> "waiting for the replicas of " + name.uri() + " to stop: still deployed on " + perNode(remaining));
    }

    private static String perNode(Map<String, Integer> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((node, n) -> parts.add(node + " (" + n + ")"));
        return String.join(", ", parts);
    }

    /** Waits until no node holds a deployed service package of {@code app}. */
    void applicationGone(String app) {
        String path = ApiClient.withQuery(ApiClient.path("v1", "deployed"), Map.of("application", app));
        Set<String> where = new TreeSet<>();
        pollGone(path, response -> {
            where.clear();
            List<JsonNode> items = Json.items(response.json());
            for (JsonNode item : items) {
                where.add(Json.text(item, "node") + " (" + Json.text(item, "servicePackage") + ")");
            }
            report(app, items.isEmpty() ? "all service packages deactivated"
                    : items.size() + " service package(s) still deployed");
            return items.isEmpty() ? Optional.of(response) : Optional.empty();
        }, () -> "waiting for capstan:/" + app + " to stop: still deployed on " + String.join(", ", where));
    }

    /**
     * Follows an application's upgrade until it completes, rolls back, fails or waits for a resume, printing each
     * change of domain and of what it waits for; returns that last status.
     */
    ApiResponse upgrade(String app) {
        String path = ApiClient.path("v1", "apps", app, "upgrade");
        String[] last = {""};
        return poll(path, response -> {
            JsonNode u = response.json();
            String state = Json.text(u, "state");
            JsonNode w = u.path("waitingFor");
            String domain = u.path("currentDomain").isTextual() ? " domain " + Json.text(u, "currentDomain") : "";
            last[0] = state + domain + (w.isObject() ? ": " + Json.text(w, "condition") + " " + Json.text(w, "detail") : "");
            report(app, last[0]);
            boolean settled = switch (state) {
                case "RollingForwardCompleted", "RollingBackCompleted", "Failed", "RollingForwardPending" -> true;
                default -> false;
            };
            return settled ? Optional.of(response) : Optional.empty();
        }, () -> "following the upgrade of capstan:/" + app + ": " + last[0]);
    }

    /** Waits until a node being disabled has no replicas left (status Disabled). */
    ApiResponse nodeDrained(String node) {
        String path = ApiClient.path("v1", "nodes", node);
        long[] left = {-1};
        return poll(path, response -> {
            JsonNode view = response.json();
            left[0] = Json.number(view, "replicas", 0);
            String status = Json.text(view, "status");
            report(node, status + ", " + left[0] + " replica(s) left");
            if ("Up".equals(status)) {
                throw new CliException("node " + node + " was enabled again while waiting for it to drain");
            }
            return "Disabled".equals(status) ? Optional.of(response) : Optional.empty();
        }, () -> "waiting for node " + node + " to drain: " + left[0] + " replica(s) left");
    }

    /** Like {@link #poll}, but a 404 means the thing asked about is gone, which is what we wait for. */
    private void pollGone(String path, Function<ApiResponse, Optional<ApiResponse>> done, Supplier<String> missing) {
        try {
            poll(path, done, missing);
        } catch (ApiException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
    }

    private ApiResponse poll(String path, Function<ApiResponse, Optional<ApiResponse>> done, Supplier<String> missing) {
        Clock clock = context.clock();
        Instant deadline = clock.instant().plus(timeout);
        ApiResponse response = api.get(path);
        while (true) {
            Optional<ApiResponse> result = done.apply(response);
            if (result.isPresent()) {
                return result.get();
            }
            Duration remaining = Duration.between(clock.instant(), deadline);
            if (remaining.isNegative() || remaining.isZero()) {
                throw new CliException("timed out after " + Durations.format(timeout) + " " + missing.get());
            }
            Duration block = remaining.compareTo(MAX_BLOCK) < 0 ? remaining : MAX_BLOCK;
            if (block.toMillis() < 1) {
                block = Duration.ofMillis(1);
            }
            if (response.index() < 0) {
                pause(block.compareTo(FALLBACK_PAUSE) < 0 ? block : FALLBACK_PAUSE);
                response = api.get(path);
            } else {
                response = api.getBlocking(path, response.index(), block);
            }
        }
    }

    private void pause(Duration d) {
        try {
            context.pauser().pause(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    /** Prints {@code what: text} when it differs from the last line printed for {@code what}. */
    private void report(String what, String text) {
        if (!text.equals(lastProgress.put(what, text))) {
            progress.println(what + ": " + text);
            progress.flush();
        }
    }

    static String serviceProgress(JsonNode view) {
        JsonNode r = view.path("replicas");
        return Json.number(r, "ready", 0) + "/" + Json.number(r, "wanted", 0) + " replicas ready";
    }

    /** What a service still lacks: counts, and the partitions that are not ready. */
    static String serviceMissing(JsonNode view) {
        if (view == null) {
            return "no answer yet";
        }
        JsonNode r = view.path("replicas");
        StringBuilder sb = new StringBuilder();
        sb.append(Json.number(r, "ready", 0)).append('/').append(Json.number(r, "wanted", 0)).append(" replicas ready, ")
                .append(Json.number(r, "placed", 0)).append(" placed");
        List<String> partitions = new ArrayList<>();
        for (JsonNode p : view.path("partitions")) {
            long wanted = Json.number(p, "wanted", 0);
            long ready = Json.number(p, "ready", 0);
            if (ready < wanted) {
                partitions.add(Json.partitionLabel(p.get("key")) + " " + ready + "/" + wanted);
            }
        }
        if (!partitions.isEmpty()) {
            sb.append(" (partitions not ready: ").append(String.join(", ", partitions)).append(')');
        }
        return sb.toString();
    }
}
