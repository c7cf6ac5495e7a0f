package io.capstan.bench;

import io.capstan.agent.PortRange;
import io.capstan.dist.DevCluster;
import io.capstan.gateway.Gateway;
import io.capstan.gateway.GatewayConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway against nginx as a reverse proxy, side by side in one run: both proxy to the same backend (an nginx
 * serving static files, deployed through Capstan on a one-node dev cluster), on 127.0.0.1, with upstream keep-alive
 * and one event loop / worker each, driven by {@code wrk -t1 -c32 --latency} with a small and a 64 KiB body. A direct
 * run against the backend gives the added latency. Prints a table and writes bench-results/gateway.json.
 * Needs nginx and wrk (Debian packages nginx and wrk).
 */
public final class GatewayBenchmark {

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

    private GatewayBenchmark() {
    }

    /** One wrk run. */
    record Run(String target, String body, double requestsPerSecond, double p50Ms, double p99Ms) {
    }

    public static void main(String[] args) throws Exception {
        String duration = BenchArgs.stringArg(args, "--duration", "10s");
        int connections = BenchArgs.intArg(args, "--connections", 32);
        Path out = Path.of(BenchArgs.stringArg(args, "--out", "bench-results/gateway.json"));
        Path dir = Files.createTempDirectory("capstan-gateway-bench");
        List<Run> runs = new ArrayList<>();
        Process nginx = null;
        try (DevCluster cluster = new DevCluster(new DevCluster.Settings(1, dir.resolve("cluster"), BenchApi.freePort(),
                BenchApi.freePort(), Map.of("cpu", 2.0, "memoryMiB", 4096.0), new PortRange(33000, 33099), null, false)).start()) {
            BenchApi api = new BenchApi(cluster.apiUrl());
            api.awaitNodesUp(1, Duration.ofSeconds(60));
            api.registerPackage(writePackage(dir.resolve("pkg")));
            api.post("/v1/apps", Map.of("name", "Bench", "type", "GatewayBenchType", "version", "1.0.0"));
            api.post("/v1/apps/Bench/services", Map.of("name", "Web", "serviceType", "WebType", "instanceCount", 1));
            String backend = awaitEndpoint(api);
            int nginxPort = BenchApi.freePort();
            nginx = startNginxProxy(dir.resolve("proxy"), nginxPort, backend);
            try (Gateway gateway = new Gateway(GatewayConfig.defaults(List.of(URI.create(cluster.apiUrl())),
                    BenchApi.freePort()).withIoThreads(1))) {
                int gatewayPort = gateway.start();
                awaitOk("http://127.0.0.1:" + nginxPort + "/Bench/Web/small");
                awaitOk("http://127.0.0.1:" + gatewayPort + "/Bench/Web/small");
                for (String body : List.of("small", "64k")) {
                    runs.add(wrk("direct", body, "http://" + backend + "/" + body, duration, connections));
                    runs.add(wrk("nginx", body, "http://127.0.0.1:" + nginxPort + "/Bench/Web/" + body, duration, connections));
                    runs.add(wrk("gateway", body, "http://127.0.0.1:" + gatewayPort + "/Bench/Web/" + body, duration, connections));
                }
            }
        } finally {
            if (nginx != null) {
                nginx.destroy();
                nginx.waitFor();
            }
        }
        System.out.printf("%-8s %-6s %12s %9s %9s%n", "target", "body", "req/s", "p50 ms", "p99 ms");
        for (Run r : runs) {
            System.out.printf("%-8s %-6s %12.0f %9.3f %9.3f%n", r.target(), r.body(), r.requestsPerSecond(), r.p50Ms(), r.p99Ms());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("wrk", "-t1 -c" + connections + " -d" + duration + " --latency");
        result.put("runs", runs);
        for (String body : List.of("small", "64k")) {
            Run direct = find(runs, "direct", body);
            Run nginxRun = find(runs, "nginx", body);
            Run gw = find(runs, "gateway", body);
            double rps = gw.requestsPerSecond() / nginxRun.requestsPerSecond();
            double p99 = gw.p99Ms() / nginxRun.p99Ms();
            System.out.printf("%s body: gateway/nginx req/s %.2fx, p99 %.2fx; added p50 over direct: gateway %.3f ms, nginx %.3f ms%n",
                    body, rps, p99, gw.p50Ms() - direct.p50Ms(), nginxRun.p50Ms() - direct.p50Ms());
            result.put(body, Map.of("requestsPerSecondRatio", rps, "p99Ratio", p99,
                    "gatewayAddedP50Ms", gw.p50Ms() - direct.p50Ms(), "nginxAddedP50Ms", nginxRun.p50Ms() - direct.p50Ms()));
        }
        BenchResults.write(out, result);
    }

    private static Run find(List<Run> runs, String target, String body) {
        return runs.stream().filter(r -> r.target().equals(target) && r.body().equals(body)).findFirst().orElseThrow();
    }

    /** The backend: nginx serving a small and a 64 KiB file, as a Capstan code package on its allocated port. */
    private static Path writePackage(Path pkg) throws IOException {
        Files.createDirectories(pkg.resolve("WebPackage/WebCode"));
        Files.writeString(pkg.resolve("capstan-app.yaml"), """
                applicationType: GatewayBenchType
                version: 1.0.0
                servicePackages:
                  - name: WebPackage
                    version: 1.0.0
                    serviceTypes:
                      - {name: WebType, kind: stateless, codePackage: WebCode}
                    codePackages:
                      - name: WebCode
                        version: 1.0.0
                        process: {command: /bin/sh, args: [backend.sh]}
                        resources: {cpu: 0.5, memoryMiB: 64}
                        probes:
                          readiness: {http: {endpoint: web, path: /small}, period: 200ms}
                    endpoints:
                      - {name: web, protocol: http}
                """);
        Files.writeString(pkg.resolve("WebPackage/WebCode/backend.sh"), """
                d="$(pwd)/run"; mkdir -p "$d"
                printf 'hello\\n' > "$d/small"
                head -c 65536 /dev/zero | tr '\\0' x > "$d/64k"
                cat > "$d/nginx.conf" <<EOF
                daemon off; master_process off; worker_processes 1; user root;
                pid $d/nginx.pid; error_log $d/error.log;
                events { worker_connections 4096; }
                http {
                  access_log off; keepalive_requests 100000000;
                  client_body_temp_path $d; proxy_temp_path $d; fastcgi_temp_path $d; uwsgi_temp_path $d; scgi_temp_path $d;
                  server { listen 127.0.0.1:$CAPSTAN_ENDPOINT_WEB_PORT; root $d; }
                }
                EOF
                exec nginx -p "$d" -c "$d/nginx.conf"
                """);
        return pkg;
    }

    /** Blocks on the naming service until the backend's replica is Ready, and returns its endpoint. */
    private static String awaitEndpoint(BenchApi api) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long index = 0;
        while (System.nanoTime() < deadline) {
            var r = api.get("/v1/apps/Bench/services/Web/resolve" + (index > 0 ? "?index=" + index + "&wait=5s" : ""));
            index = BenchApi.index(r, index);
            var replicas = api.body(r).path("partitions").path(0).path("replicas");
            if (replicas.size() > 0) {
                return replicas.get(0).path("endpoints").path("web").asText();
            }
        }
        throw new IllegalStateException("the backend did not become Ready within 60s");
    }

    /** The baseline proxy: nginx, one worker, upstream keep-alive, the /Bench/Web prefix stripped like the gateway does. */
    private static Process startNginxProxy(Path d, int port, String backend) throws IOException {
        Files.createDirectories(d);
        Files.writeString(d.resolve("nginx.conf"), """
                daemon off; worker_processes 1; user root; pid %1$s/nginx.pid; error_log %1$s/error.log;
                events { worker_connections 4096; }
                http {
                  access_log off; keepalive_requests 100000000;
                  client_body_temp_path %1$s; proxy_temp_path %1$s; fastcgi_temp_path %1$s; uwsgi_temp_path %1$s; scgi_temp_path %1$s;
                  upstream backend { server %3$s; keepalive 64; }
                  server {
                    listen 127.0.0.1:%2$d;
                    location /Bench/Web/ {
                      proxy_pass http://backend/; proxy_http_version 1.1; proxy_set_header Connection "";
                      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Proto $scheme;
                      proxy_set_header X-Forwarded-Host $host; proxy_buffering on;
                    }
                  }
                }
                """.formatted(d, port, backend));
        return new ProcessBuilder("nginx", "-p", d.toString(), "-c", d.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(d.resolve("out.log").toFile()).start();
    }

    private static void awaitOk(String url) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                if (http.send(java.net.http.HttpRequest.newBuilder(URI.create(url)).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(url + " did not answer 200");
            }
            // Why a fixed delay: nginx is starting and there is nothing to block on until it listens.
            Thread.sleep(100);
        }
    }

    private static Run wrk(String target, String body, String url, String duration, int connections) throws Exception {
        // A short warm-up (JIT, pools), then the measured run.
        run("wrk", "-t1", "-c" + connections, "-d2s", url);
        String text = run("wrk", "-t1", "-c" + connections, "-d" + duration, "--latency", url);
        Matcher rps = RPS.matcher(text);
        if (!rps.find() || text.contains("Non-2xx")) {
            throw new IllegalStateException("wrk against " + url + " failed:\n" + text);
        }
        return new Run(target, body, Double.parseDouble(rps.group(1)), percentile(text, "50"), percentile(text, "99"));
    }

    private static double percentile(String text, String p) {
        Matcher m = Pattern.compile("\\s" + p + "%\\s+([0-9.]+)(us|ms|s)").matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + p + "% latency in wrk's output:\n" + text);
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + text);
        }
        return text;
    }
}
