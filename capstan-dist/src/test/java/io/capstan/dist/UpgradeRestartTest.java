package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.dist.UpgradeTestApp.Web;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL the whole dev cluster (server and agents, one OS process) in the middle of an upgrade, with one domain
 * done and the next in progress, and start it again on the same data: the upgrade goes on from where it was and
 * completes, and every node ends on the new version, with no domain left mixed.
 */
class UpgradeRestartTest {

    @TempDir
    Path dir;

    private Process dev;
    private String api;

    @AfterEach
    void stopDev() {
        if (dev != null && dev.isAlive()) {
            dev.destroyForcibly();
        }
        NodeProcesses.killAll(api == null ? "" : api);
    }

    @Test
    void anUpgradeInterruptedByACrashResumesAndCompletes() throws Exception {
        DevProcess cluster = DevProcess.onFreePorts(dir, dir.resolve("data"), 22000);
        api = cluster.api();
        ClusterApi client = new ClusterApi(api);
        dev = cluster.start();
        client.registerPackage(UpgradeTestApp.write(dir, "1.0.0", "1.0.0", "hello v1", Web.GOOD)).ok();
        client.registerPackage(UpgradeTestApp.write(dir, "2.0.0", "2.0.0", "hello v2", Web.GOOD)).ok();
        client.post("/v1/apps", Map.of("name", "Up", "type", UpgradeTestApp.TYPE, "version", "1.0.0")).ok();
        await().atMost(Duration.ofSeconds(60)).until(() -> client.get("/v1/apps/Up").ok().path("converged").asBoolean());

        client.post("/v1/apps/Up/upgrade", Map.of("version", "2.0.0", "healthCheckStable", "3s")).ok();
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            JsonNode u = client.get("/v1/apps/Up/upgrade").ok();
            return UpgradeTestApp.domainState(u, "UD1").equals("Completed") && UpgradeTestApp.domainState(u, "UD2").equals("InProgress");
        });
        dev.destroyForcibly().waitFor();

        dev = cluster.start();
        JsonNode resumed = client.get("/v1/apps/Up/upgrade").ok();
        assertThat(resumed.path("state").asText()).isEqualTo("RollingForwardInProgress");
        assertThat(UpgradeTestApp.domainState(resumed, "UD1")).isEqualTo("Completed");
        await().atMost(Duration.ofSeconds(120)).until(() ->
                client.get("/v1/apps/Up/upgrade").ok().path("state").asText().equals("RollingForwardCompleted"));

        assertThat(client.get("/v1/apps/Up").ok().path("version").asText()).isEqualTo("2.0.0");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> versions = new ArrayList<>();
            for (NodeProcesses.Workload w : NodeProcesses.of(api)) {
                if ("WebPackage".equals(w.env().get("CAPSTAN_SERVICE_PACKAGE_NAME"))) {
                    versions.add(w.env().get("CAPSTAN_SERVICE_PACKAGE_VERSION"));
                }
            }
            assertThat(versions).as("one web process per node, all on the new version").containsExactly("2.0.0", "2.0.0", "2.0.0");
        });
        dev.destroy();
        assertThat(dev.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> NodeProcesses.of(api).isEmpty());
    }
}
