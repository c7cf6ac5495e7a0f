package io.capstan.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.agent.PortRange;
import io.capstan.dist.DevCluster;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Time from creating a service of N instances (ExclusiveProcess: one process each) on a three-node
 * dev cluster until all are Ready, against a plain shell loop starting the same N processes, side
 * by side in one run. Prints a table and writes bench-results/activation.json.
 */
public final class ActivationBenchmark {

    private ActivationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        // One instance per node per partition: round up to whole partitions of three, and start as many in the shell.
        int instances = (BenchArgs.intArg(args, "--instances", 100) + 2) / 3 * 3;
        int runs = BenchArgs.intArg(args, "--runs", 3);
        Path out = Path.of(BenchArgs.stringArg(args, "--out", "bench-results/activation.json"));
        Path dir = Files.createTempDirectory("capstan-activation-bench");
        Path pkg = writePackage(dir.resolve("pkg"));
        List<Double> capstanMs = new ArrayList<>();
        List<Double> shellMs = new ArrayList<>();
        try (DevCluster cluster = new DevCluster(new DevCluster.Settings(3, dir.resolve("cluster"), BenchApi.freePort(),
                BenchApi.freePort(), Map.of("cpu", 64.0, "memoryMiB", 65536.0), new PortRange(30000, 32999), null, false)).start()) {
            BenchApi api = new BenchApi(cluster.apiUrl());
            api.awaitNodesUp(3, Duration.ofSeconds(60));
            api.registerPackage(pkg);
            api.post("/v1/apps", Map.of("name", "Bench", "type", "BenchType", "version", "1.0.0"));
            for (int run = 0; run < runs; run++) {
                shellMs.add(shellLoop(instances));
                capstanMs.add(capstanCreate(api, "S" + run, instances));
                api.delete("/v1/apps/Bench/services/S" + run);
            }
        }
        double capstan = Samples.median(capstanMs);
        double shell = Samples.median(shellMs);
        System.out.printf("%-44s %10s%n", "scenario (" + instances + " processes, median of " + runs + ")", "ms");
        System.out.printf("%-44s %10.0f%n", "capstan service create -> all Ready", capstan);
        System.out.printf("%-44s %10.0f%n", "shell loop starting the same processes", shell);
        System.out.printf("%-44s %10.1f%n", "ratio capstan / shell", capstan / shell);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("instances", instances);
        result.put("runs", runs);
        result.put("capstanMs", capstanMs);
        result.put("shellMs", shellMs);
        result.put("capstanMedianMs", capstan);
        result.put("shellMedianMs", shell);
        result.put("ratio", capstan / shell);
        BenchResults.write(out, result);
    }

    /** The package: one code package that just waits, cheap enough that the orchestration is what is measured. */
    private static Path writePackage(Path pkg) throws IOException {
        Files.createDirectories(pkg.resolve("BenchPackage/BenchCode"));
        Files.writeString(pkg.resolve("capstan-app.yaml"), """
                applicationType: BenchType
                version: 1.0.0
                servicePackages:
                  - name: BenchPackage
                    version: 1.0.0
                    serviceTypes:
                      - {name: BenchServiceType, kind: stateless, codePackage: BenchCode}
                    codePackages:
                      - name: BenchCode
                        version: 1.0.0
                        process: {command: sleep, args: ["3600"]}
                        resources: {cpu: 0.01, memoryMiB: 8}
                """);
        return pkg;
    }

    /** Creates the service (partitions x 3 instances, one per node, exclusive) and waits until it converged. */
    private static double capstanCreate(BenchApi api, String name, int instances) throws Exception {
        int partitions = (instances + 2) / 3;
        long start = System.nanoTime();
        HttpResponse<String> created = api.post("/v1/apps/Bench/services", Map.of("name", name,
                "serviceType", "BenchServiceType", "instanceCount", 3, "activation", "ExclusiveProcess",
                "partitions", Map.of("scheme", "UniformInt64Range", "low", 0, "high", 1_000_000, "count", partitions)));
        long index = BenchApi.index(created, 0);
        while (true) {
            HttpResponse<String> r = api.get("/v1/apps/Bench/services/" + name + "?index=" + index + "&wait=30s");
            index = BenchApi.index(r, index);
            JsonNode view = api.body(r);
            if (view.path("converged").asBoolean()) {
                return (System.nanoTime() - start) / 1e6;
            }
            if (!view.path("placementProblem").isNull() && !view.path("placementProblem").isMissingNode()) {
                throw new IllegalStateException("placement failed: " + view.path("placementProblem").asText());
            }
        }
    }

    /** The baseline: a shell loop starting the same processes in their own sessions, then stopping them. */
    private static double shellLoop(int instances) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder("/bin/sh", "-c",
                "i=0; pids=; while [ $i -lt " + instances + " ]; do setsid sleep 3600 </dev/null >/dev/null 2>&1 & pids=\"$pids $!\"; i=$((i+1)); done;"
                        + " echo $pids").redirectErrorStream(true).start();
        String pids = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        double ms = (System.nanoTime() - start) / 1e6;
        for (String pid : pids.split("\\s+")) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        }
        return ms;
    }
}
