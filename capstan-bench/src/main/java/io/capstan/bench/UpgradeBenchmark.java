package io.capstan.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.agent.PortRange;
import io.capstan.dist.DevCluster;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A monitored upgrade of a three-domain, 30-replica application on a three-node dev cluster, against the sum of
 * its configured health waits (what it must spend) and, side by side in the same run, an unmonitored-auto upgrade
 * doing the same restarts with no health waits (what the mechanics alone cost). Prints a table and writes
 * bench-results/upgrade.json.
 */
public final class UpgradeBenchmark {

    private UpgradeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = BenchArgs.intArg(args, "--runs", 2);
        Duration wait = Duration.ofSeconds(BenchArgs.intArg(args, "--health-check-wait-s", 2));
        Duration stable = Duration.ofSeconds(BenchArgs.intArg(args, "--health-check-stable-s", 3));
        Path out = Path.of(BenchArgs.stringArg(args, "--out", "bench-results/upgrade.json"));
        Path dir = Files.createTempDirectory("capstan-upgrade-bench");
        List<Map<String, Object>> monitored = new ArrayList<>();
        List<Map<String, Object>> unmonitored = new ArrayList<>();
        try (DevCluster cluster = new DevCluster(new DevCluster.Settings(3, dir.resolve("cluster"), BenchApi.freePort(),
                BenchApi.freePort(), Map.of("cpu", 64.0, "memoryMiB", 65536.0), new PortRange(33000, 33999), null, false)).start()) {
            BenchApi api = new BenchApi(cluster.apiUrl());
            api.awaitNodesUp(3, Duration.ofSeconds(60));
            int version = 1;
            api.registerPackage(writePackage(dir, version));
            api.post("/v1/apps", Map.of("name", "Bench", "type", "UpgradeBenchType", "version", "1.0.0"));
            awaitConverged(api);
            for (int run = 0; run < runs; run++) {
                api.registerPackage(writePackage(dir, ++version));
                monitored.add(upgrade(api, version, Map.of("healthCheckWait", wait.toSeconds() + "s",
                        "healthCheckStable", stable.toSeconds() + "s")));
                api.registerPackage(writePackage(dir, ++version));
                unmonitored.add(upgrade(api, version, Map.of("mode", "UnmonitoredAuto")));
            }
        }
        double configuredMs = 3 * (wait.toMillis() + stable.toMillis());
        double monitoredMs = Samples.median(monitored.stream().map(m -> (Double) m.get("totalMs")).toList());
        double unmonitoredMs = Samples.median(unmonitored.stream().map(m -> (Double) m.get("totalMs")).toList());
        double overheadMs = monitoredMs - configuredMs;
        System.out.printf("%-58s %10s%n", "upgrade of 3 domains, 30 replicas (median of " + runs + ")", "ms");
        System.out.printf("%-58s %10.0f%n", "monitored upgrade, start -> RollingForwardCompleted", monitoredMs);
        System.out.printf("%-58s %10.0f%n", "  configured health waits (3 x (wait + stable))", configuredMs);
        System.out.printf("%-58s %10.0f%n", "  overhead (total - configured waits)", overheadMs);
        System.out.printf("%-58s %10.1f%n", "  overhead, % of the configured waits", 100 * overheadMs / configuredMs);
        System.out.printf("%-58s %10.0f%n", "unmonitored-auto upgrade, same restarts, no waits", unmonitoredMs);
        System.out.printf("%-58s %10s%n", "monitored, per domain (ms)", monitored.get(monitored.size() - 1).get("domainMs"));
        System.out.printf("%-58s %10s%n", "unmonitored, per domain (ms)", unmonitored.get(unmonitored.size() - 1).get("domainMs"));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("runs", runs);
        result.put("healthCheckWaitMs", wait.toMillis());
        result.put("healthCheckStableMs", stable.toMillis());
        result.put("configuredWaitsMs", configuredMs);
        result.put("monitoredMedianMs", monitoredMs);
        result.put("overheadMs", overheadMs);
        result.put("overheadPercent", 100 * overheadMs / configuredMs);
        result.put("unmonitoredMedianMs", unmonitoredMs);
        result.put("monitored", monitored);
        result.put("unmonitored", unmonitored);
        BenchResults.write(out, result);
    }

    /** Starts an upgrade to version {@code n}.0.0 and follows it; returns its total and per-domain times. */
    private static Map<String, Object> upgrade(BenchApi api, int n, Map<String, String> policy) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>(policy);
        body.put("version", n + ".0.0");
        long start = System.nanoTime();
        HttpResponse<String> started = api.post("/v1/apps/Bench/upgrade", body);
        long index = BenchApi.index(started, 0);
        JsonNode status;
        while (true) {
            HttpResponse<String> r = api.get("/v1/apps/Bench/upgrade?index=" + index + "&wait=30s");
            index = BenchApi.index(r, index);
            status = api.body(r);
            String state = status.path("state").asText();
            if (state.equals("RollingForwardCompleted")) {
                break;
            }
            if (!state.startsWith("RollingForward")) {
                throw new IllegalStateException("the upgrade to " + n + ".0.0 ended " + state + ": " + status);
            }
        }
        double totalMs = (System.nanoTime() - start) / 1e6;
        List<Long> domainMs = new ArrayList<>();
        for (JsonNode d : status.path("domains")) {
            domainMs.add(Duration.between(Instant.parse(d.path("startedAt").asText()),
                    Instant.parse(d.path("completedAt").asText())).toMillis());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", n + ".0.0");
        m.put("totalMs", totalMs);
        m.put("domainMs", domainMs);
        return m;
    }

    private static void awaitConverged(BenchApi api) throws Exception {
        long index = 0;
        while (true) {
            HttpResponse<String> r = api.get("/v1/apps/Bench?index=" + index + "&wait=30s");
            index = BenchApi.index(r, index);
            if (api.body(r).path("converged").asBoolean()) {
                return;
            }
        }
    }

    /**
     * Version {@code n}: one stateless service of 10 partitions x 3 instances (one per node, one process each) whose
     * code package version changes every version, so every instance restarts in each upgrade.
     */
    private static Path writePackage(Path dir, int n) throws IOException {
        Path pkg = dir.resolve("v" + n);
        Files.createDirectories(pkg.resolve("BenchPackage/BenchCode"));
        Files.writeString(pkg.resolve("capstan-app.yaml"), """
                applicationType: UpgradeBenchType
                version: %d.0.0
                servicePackages:
                  - name: BenchPackage
                    version: %d.0.0
                    serviceTypes:
                      - {name: BenchType, kind: stateless, codePackage: BenchCode}
                    codePackages:
                      - name: BenchCode
                        version: %d.0.0
                        process: {command: sleep, args: ["3600"]}
                        resources: {cpu: 0.01, memoryMiB: 8}
                        drainTimeout: 0s
                defaultServices:
                  - {name: Work, serviceType: BenchType, activation: ExclusiveProcess, instanceCount: 3,
                     partitions: {scheme: UniformInt64Range, low: 0, high: 999, count: 10}}
                """.formatted(n, n, n));
        return pkg;
    }
}
