package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful drain through the gateway of a dev cluster: a 3-instance service scaled in, then a node hosting one of its
 * instances disabled, then the application upgraded domain by domain, under a steady loop of slow POSTs (each in flight for 150 ms, and never retried once sent, since
 * a POST is not idempotent). Every request succeeds: the stopped instances' endpoints leave the resolution first, the
 * agent waits for their connections to end, and only then stops the process. Also: an instance resolves its own
 * service through its agent's local API.
 */
class GatewayDrainTest {

    private static final int CLIENTS = 4;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = CapstanJson.newMapper();

    @Test
    void scaleInAndNodeDisableUnderASteadyRequestLoopFailNoRequest(@TempDir Path dir) throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3, true)) {
            ClusterApi api = cluster.api;
            String gw = cluster.cluster.gatewayUrl();
            assertThat(api.registerPackage(Path.of("src/test/resources/gateway-app").toAbsolutePath()).status()).isEqualTo(201);
            api.post("/v1/apps", Map.of("name", "GwApp", "type", "GatewayTestType", "version", "1.0.0")).ok();
            api.post("/v1/apps/GwApp/services", Map.of("name", "Web", "serviceType", "WebType", "instanceCount", 3)).ok();
            await().atMost(Duration.ofSeconds(60)).until(() -> readyInstances(api) == 3);

            // A code package resolves through its agent's local API (CAPSTAN_AGENT_API), with no server address or token.
            HttpResponse<String> whereis = http.send(HttpRequest.newBuilder(URI.create(gw + "/GwApp/Web/whereis/GwApp/Web"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(whereis.statusCode()).as(whereis.body()).isEqualTo(200);
            assertThat(json.readTree(whereis.body()).path("partitions").get(0).path("replicas")).hasSize(3);
            HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(gw + "/GwApp/Web/whereis/GwApp/Nope"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("Nope");

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger();
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            Set<String> nodesAnswering = ConcurrentHashMap.newKeySet();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(Thread.ofVirtual().start(() -> {
                    while (running.get()) {
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw + "/GwApp/Web/slow?ms=150"))
                                    .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString("order"))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                ok.incrementAndGet();
                                nodesAnswering.add(json.readTree(r.body()).path("node").asText());
                            } else {
                                failures.add(r.statusCode() + " " + r.body());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() > 40 && nodesAnswering.size() == 3);

            // Scale-in: one instance is drained and stopped.
            api.patch("/v1/apps/GwApp/services/Web", Map.of("instanceCount", 2)).ok();
            await().atMost(Duration.ofSeconds(30)).until(() -> readyInstances(api) == 2 && deployedPackages(api) == 2);
            int afterScaleIn = ok.get();
            await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() > afterScaleIn + 20);

            // Node disable: the instance on a disabled node moves to the free node, and the old one is drained.
            String victim = nodesHosting(api).getFirst();
            api.post("/v1/nodes/" + victim + "/disable", Map.of("intent", "restart")).ok();
            await().atMost(Duration.ofSeconds(40)).until(() -> readyInstances(api) == 2 && !nodesHosting(api).contains(victim)
                    && deployedPackages(api) == 2);
            int afterDisable = ok.get();
            await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() > afterDisable + 20);

            // Upgrade: domain by domain, each instance leaves the resolution and drains before it restarts on 2.0.0.
            assertThat(api.registerPackage(versionTwo(dir)).status()).isEqualTo(201);
            api.post("/v1/apps/GwApp/upgrade", Map.of("version", "2.0.0", "healthCheckStable", "1s")).ok();
            await().atMost(Duration.ofSeconds(120)).until(() -> api.get("/v1/apps/GwApp/upgrade").ok().path("state").asText()
                    .equals("RollingForwardCompleted"));
            int afterUpgrade = ok.get();
            await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() > afterUpgrade + 20);

            running.set(false);
            for (Thread t : clients) {
                t.join();
            }
            assertThat(failures).as("failed requests out of " + (ok.get() + failures.size())).isEmpty();
        }
    }

    /** The gateway test package as version 2.0.0 (its package and code package too, so every instance restarts). */
    private static Path versionTwo(Path dir) throws IOException {
        Path from = Path.of("src/test/resources/gateway-app").toAbsolutePath();
        Path to = dir.resolve("gateway-app-v2");
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        Path manifest = to.resolve("capstan-app.yaml");
        Files.writeString(manifest, Files.readString(manifest).replace("version: 1.0.0", "version: 2.0.0"));
        return to;
    }

    private static int readyInstances(ClusterApi api) {
        return api.get("/v1/apps/GwApp/services/Web/resolve").ok().path("partitions").get(0).path("replicas").size();
    }

    /** Deployed service packages of GwApp over all nodes (one being deactivated included). */
    private static int deployedPackages(ClusterApi api) {
        return api.get("/v1/deployed?application=GwApp").ok().path("items").size();
    }

    private static List<String> nodesHosting(ClusterApi api) {
        JsonNode replicas = api.get("/v1/apps/GwApp/services/Web/resolve").ok().path("partitions").get(0).path("replicas");
        return StreamSupport.stream(replicas.spliterator(), false).map(r -> r.path("node").asText()).sorted().toList();
    }
}
