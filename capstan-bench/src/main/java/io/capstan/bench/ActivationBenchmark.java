package io.capstan.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.agent.PortRange;
import io.capstan.dist.DevCluster;
import io.capstan.model.CapstanJson;
import io.capstan.model.pkg.ApplicationPackage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static final ObjectMapper JSON = CapstanJson.newMapper();

    private ActivationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        // One instance per node per partition: round up to whole partitions of three, and start as many in the shell.
        int instances = (intArg(args, "--instances", 100) + 2) / 3 * 3;
        int runs = intArg(args, "--runs", 3);
        Path out = Path.of(stringArg(args, "--out", "bench-results/activation.json"));
        Path dir = Files.createTempDirectory("capstan-activation-bench");
        Path pkg = writePackage(dir.resolve("pkg"));
        List<Double> capstanMs = new ArrayList<>();
        List<Double> shellMs = new ArrayList<>();
        try (DevCluster cluster = new DevCluster(new DevCluster.Settings(3, dir.resolve("cluster"), freePort(), freePort(),
                Map.of("cpu", 64.0, "memoryMiB", 65536.0), new PortRange(30000, 32999), null, false)).start()) {
            String api = cluster.apiUrl();
            HttpClient http = HttpClient.newHttpClient();
            awaitNodes(http, api);
            send(http, HttpRequest.newBuilder(URI.create(api + "/v1/apptypes")).header("Content-Type", "application/gzip")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(ApplicationPackage.load(pkg).toTarGz())));
            send(http, json(api + "/v1/apps", Map.of("name", "Bench", "type", "BenchType", "version", "1.0.0")));
            for (int run = 0; run < runs; run++) {
                shellMs.add(shellLoop(instances));
                capstanMs.add(capstanCreate(http, api, "S" + run, instances));
                send(http, HttpRequest.newBuilder(URI.create(api + "/v1/apps/Bench/services/S" + run)).DELETE());
            }
        }
        double capstan = median(capstanMs);
        double shell = median(shellMs);
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
        Files.createDirectories(out.toAbsolutePath().getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), result);
        System.out.println("wrote " + out);
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
    private static double capstanCreate(HttpClient http, String api, String name, int instances) throws Exception {
        int partitions = (instances + 2) / 3;
        long start = System.nanoTime();
        HttpResponse<String> created = send(http, json(api + "/v1/apps/Bench/services", Map.of("name", name,
                "serviceType", "BenchServiceType", "instanceCount", 3, "activation", "ExclusiveProcess",
                "partitions", Map.of("scheme", "UniformInt64Range", "low", 0, "high", 1_000_000, "count", partitions))));
        long index = created.headers().firstValueAsLong("X-Capstan-Index").orElse(0);
        while (true) {
            HttpResponse<String> r = send(http, HttpRequest.newBuilder(URI.create(api + "/v1/apps/Bench/services/" + name
                    + "?index=" + index + "&wait=30s")).GET());
            index = r.headers().firstValueAsLong("X-Capstan-Index").orElse(index);
            JsonNode view = JSON.readTree(r.body());
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

    private static void awaitNodes(HttpClient http, String api) throws Exception {
        long index = 0;
        while (true) {
            HttpResponse<String> r = send(http, HttpRequest.newBuilder(URI.create(api + "/v1/cluster/status?index=" + index
                    + "&wait=5s")).GET());
            index = r.headers().firstValueAsLong("X-Capstan-Index").orElse(index);
            if (JSON.readTree(r.body()).path("nodes").path("up").asInt() == 3) {
                return;
            }
        }
    }

    private static HttpRequest.Builder json(String url, Object body) throws IOException {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) throws Exception {
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(r.statusCode() + ": " + r.body());
        }
        return r;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static int intArg(String[] args, String name, int fallback) {
        return Integer.parseInt(stringArg(args, name, Integer.toString(fallback)));
    }

    private static String stringArg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
