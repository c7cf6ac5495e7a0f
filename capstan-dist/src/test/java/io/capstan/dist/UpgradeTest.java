package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.dist.UpgradeTestApp.Web;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Application upgrades on a real three-node dev cluster (UD1..UD3): the walk goes domain by domain, health decides
 * between rolling forward and back, manual mode waits for an operator, and a stateful service keeps its quorum and a
 * Primary throughout.
 */
class UpgradeTest {

    private static final Duration UPGRADE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private TestCluster cluster;
    private ClusterApi api;

    @BeforeEach
    void deployVersionOne() throws Exception {
        cluster = new TestCluster(dir.resolve("cluster"), 3);
        api = cluster.api;
        assertThat(api.registerPackage(UpgradeTestApp.write(dir, "1.0.0", "1.0.0", "hello v1", Web.GOOD)).status()).isEqualTo(201);
        api.post("/v1/apps", Map.of("name", "Up", "type", UpgradeTestApp.TYPE, "version", "1.0.0")).ok();
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/v1/apps/Up").ok().path("converged").asBoolean());
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
        NodeProcesses.killAll(cluster == null ? "" : cluster.cluster.apiUrl());
    }

    @Test
    void aGoodUpgradeWalksTheDomainsInOrderAndKeepsTheStoreQuorate() throws Exception {
        Map<Long, String> storesBefore = processesOf("StorePackage");
        api.registerPackage(UpgradeTestApp.write(dir, "2.0.0", "2.0.0", "hello v2", Web.GOOD)).ok();
        List<String> problems = new CopyOnWriteArrayList<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (watching.get()) {
                String problem = storeProblem();
                if (problem != null) {
                    problems.add(problem);
                }
                Thread.onSpinWait();
            }
        });

        JsonNode started = api.post("/v1/apps/Up/upgrade", Map.of("version", "2.0.0", "healthCheckStable", "1s")).ok();
        assertThat(started.path("state").asText()).isEqualTo("RollingForwardInProgress");
        assertThat(started.path("domains")).extracting(d -> d.path("name").asText()).containsExactly("UD1", "UD2", "UD3");
        JsonNode done = awaitState("RollingForwardCompleted");
        watching.set(false);
        watcher.join();

        assertThat(done.path("domains")).allSatisfy(d -> assertThat(d.path("state").asText()).isEqualTo("Completed"));
        assertThat(domainEvents("UpgradeDomainStarted")).containsExactly("domain UD1 -> 2.0.0", "domain UD2 -> 2.0.0",
                "domain UD3 -> 2.0.0");
        JsonNode app = api.get("/v1/apps/Up").ok();
        assertThat(app.path("version").asText()).isEqualTo("2.0.0");
        assertThat(app.path("parameters").path("Greeting").asText()).as("a parameter at its old default follows the new one")
                .isEqualTo("hello v2");
        // Every node runs the new web package; the store never went without a Primary or below minReplicaSetSize.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(webVersions()).containsOnly("2.0.0").hasSize(3));
        assertThat(problems).isEmpty();
        assertThat(processesOf("StorePackage").keySet()).as("the unchanged store package was not restarted")
                .containsExactlyInAnyOrderElementsOf(storesBefore.keySet());
        assertThat(api.get("/v1/events?entity=capstan:/Up").ok().path("items")).extracting(e -> e.path("kind").asText())
                .contains("ApplicationUpgradeStarted", "ApplicationUpgradeCompleted");
    }

    @Test
    void aConfigOnlyUpgradeSwapsTheFilesAndSignalsTheSameProcesses() throws Exception {
        Map<Long, String> storesBefore = processesOf("StorePackage");
        Map<Long, String> webBefore = webProcesses();
        api.registerPackage(UpgradeTestApp.write(dir, "1.1.0", "1.0.0", "hello v1", Web.GOOD, "2.0.0", "color=green")).ok();

        JsonNode plan = api.post("/v1/apps/Up/upgrade", Map.of("version", "1.1.0", "dryRun", true)).ok();
        assertThat(plan.path("domains").get(0).path("packages")).extracting(p -> p.path("servicePackage").asText() + " "
                + p.path("action").asText()).contains("StorePackage Refresh", "WebPackage Unchanged");
        api.post("/v1/apps/Up/upgrade", Map.of("version", "1.1.0", "healthCheckStable", "1s")).ok();
        awaitState("RollingForwardCompleted");

        assertThat(processesOf("StorePackage").keySet()).containsExactlyInAnyOrderElementsOf(storesBefore.keySet());
        assertThat(webProcesses().keySet()).containsExactlyInAnyOrderElementsOf(webBefore.keySet());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (long pid : storesBefore.keySet()) {
                Path log = Path.of("/proc", Long.toString(pid), "cwd", "reloads.log");
                assertThat(log).as("store %d got SIGHUP and read the new settings", pid).exists();
                assertThat(java.nio.file.Files.readString(log)).isEqualTo("color=green\n");
            }
        });
    }

    @ParameterizedTest
    @EnumSource(value = Web.class, names = {"EXITS", "FAILS_LIVENESS"})
    void aFailingNewVersionRollsBackToExactlyWhereItStarted(Web bad) throws Exception {
        Map<Long, String> before = webProcesses();
        api.registerPackage(UpgradeTestApp.write(dir, "3.0.0", "3.0.0", "hello v3", bad)).ok();

        api.post("/v1/apps/Up/upgrade", Map.of("version", "3.0.0", "healthCheckStable", "2s", "healthCheckRetry", "4s")).ok();
        JsonNode done = awaitState("RollingBackCompleted");

        assertThat(done.path("failureReason").asText()).contains("domain UD1");
        assertThat(done.path("domains").get(0).path("state").asText()).isEqualTo("RolledBack");
        assertThat(done.path("domains").get(1).path("state").asText()).as("the walk never reached UD2").isEqualTo("Pending");
        JsonNode app = api.get("/v1/apps/Up").ok();
        assertThat(app.path("version").asText()).isEqualTo("1.0.0");
        assertThat(app.path("parameters").path("Greeting").asText()).isEqualTo("hello v1");
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/apps/Up").ok().path("converged").asBoolean());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(webVersions()).containsOnly("1.0.0").hasSize(3);
            // UD2 and UD3 were never touched: their web processes are the very ones from before.
            Map<Long, String> now = webProcesses();
            assertThat(now.values()).containsOnly("1.0.0");
            long untouched = before.keySet().stream().filter(now::containsKey).count();
            assertThat(untouched).isEqualTo(2);
        });
    }

    @Test
    void aParameterOnlyUpgradeInUnmonitoredManualModeStopsAfterEachDomainUntilResumed() throws Exception {
        Map<Long, String> storesBefore = processesOf("StorePackage");
        api.post("/v1/apps/Up/upgrade", Map.of("version", "1.0.0", "mode", "unmonitored-manual",
                "parameters", Map.of("Greeting", "howdy"))).ok();

        for (String next : List.of("UD2", "UD3")) {
            JsonNode paused = awaitState("RollingForwardPending");
            assertThat(paused.path("waitingFor").path("condition").asText()).isEqualTo("Resume");
            // It stays paused: nothing but an operator moves it on.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                    .until(() -> UpgradeTestApp.domainState(upgrade(), next).equals("Pending") && upgrade().path("state").asText()
                            .equals("RollingForwardPending"));
            api.post("/v1/apps/Up/upgrade/resume", Map.of()).ok();
            await().atMost(UPGRADE).until(() -> !UpgradeTestApp.domainState(upgrade(), next).equals("Pending"));
        }
        awaitState("RollingForwardCompleted");
        assertThat(api.get("/v1/apps/Up").ok().path("parameters").path("Greeting").asText()).isEqualTo("howdy");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(webProcesses().keySet())
                .hasSize(3).allSatisfy(pid -> assertThat(environment(pid)).contains("GREETING=howdy")));
        assertThat(processesOf("StorePackage").keySet()).as("the store does not use the parameter")
                .containsExactlyInAnyOrderElementsOf(storesBefore.keySet());
    }

    @Test
    void anUnhealthyApplicationIsRefusedUnlessForced() throws Exception {
        api.registerPackage(UpgradeTestApp.write(dir, "2.0.0", "2.0.0", "hello v2", Web.GOOD)).ok();
        api.post("/v1/health/reports", Map.of("entity", "app:Up", "sourceId", "Watchdog", "property", "Orders",
                "healthState", "Error", "description", "orders are failing")).ok();

        ClusterApi.Reply refused = api.post("/v1/apps/Up/upgrade", Map.of("version", "2.0.0"));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body().toString()).contains("UNHEALTHY", "orders are failing", "--force");
        assertThat(api.get("/v1/apps/Up/upgrade").status()).as("nothing was started").isEqualTo(404);

        JsonNode forced = api.post("/v1/apps/Up/upgrade", Map.of("version", "2.0.0", "force", true,
                "mode", "unmonitored-auto")).ok();
        assertThat(forced.path("forced").asBoolean()).isTrue();
        awaitState("RollingForwardCompleted");
    }

    @Test
    void aSecondUpgradeAndAnUnknownVersionAreRefusedWithTheReason() throws Exception {
        api.registerPackage(UpgradeTestApp.write(dir, "2.0.0", "2.0.0", "hello v2", Web.GOOD)).ok();
        ClusterApi.Reply unknown = api.post("/v1/apps/Up/upgrade", Map.of("version", "9.9.9"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().toString()).contains("version", "no version 9.9.9");
        ClusterApi.Reply badMode = api.post("/v1/apps/Up/upgrade", Map.of("version", "2.0.0", "mode", "sideways"));
        assertThat(badMode.status()).isEqualTo(400);
        assertThat(badMode.body().toString()).contains("mode", "Monitored");

        api.post("/v1/apps/Up/upgrade", Map.of("version", "2.0.0", "mode", "unmonitored-manual")).ok();
        ClusterApi.Reply second = api.post("/v1/apps/Up/upgrade", Map.of("version", "2.0.0"));
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.body().toString()).contains("already upgrading to 2.0.0");
        ClusterApi.Reply deleteTarget = api.delete("/v1/apptypes/" + UpgradeTestApp.TYPE + "/2.0.0");
        assertThat(deleteTarget.status()).as("the target of a running upgrade cannot be unregistered").isEqualTo(409);

        api.post("/v1/apps/Up/upgrade/rollback", Map.of("reason", "changed my mind")).ok();
        JsonNode back = awaitState("RollingBackCompleted");
        assertThat(back.path("failureReason").asText()).isEqualTo("changed my mind");
        assertThat(api.get("/v1/apps/Up").ok().path("version").asText()).isEqualTo("1.0.0");
    }

    private JsonNode upgrade() {
        return api.get("/v1/apps/Up/upgrade").ok();
    }

    private JsonNode awaitState(String state) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(UPGRADE).alias("upgrade reaches " + state).until(() -> {
            last[0] = upgrade();
            String now = last[0].path("state").asText();
            if (!now.equals(state) && (now.endsWith("Completed") || now.equals("Failed"))) {
                throw new AssertionError("the upgrade ended " + now + " instead of " + state + ": " + last[0]);
            }
            return now.equals(state);
        });
        return last[0];
    }

    private List<String> domainEvents(String kind) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : api.get("/v1/events?entity=capstan:/Up").ok().path("items")) {
            if (e.path("kind").asText().equals(kind)) {
                out.add(e.path("message").asText());
            }
        }
        return out;
    }

    /** The web package version each live web process runs, by pid (read from the processes themselves). */
    private Map<Long, String> webProcesses() {
        return processesOf("WebPackage");
    }

    /** The package version each live process of {@code servicePackage} was started with, by pid. */
    private Map<Long, String> processesOf(String servicePackage) {
        Map<Long, String> out = new HashMap<>();
        for (NodeProcesses.Workload w : NodeProcesses.of(cluster.cluster.apiUrl())) {
            if (servicePackage.equals(w.env().get("CAPSTAN_SERVICE_PACKAGE_NAME"))) {
                out.put(w.pid(), w.env().get("CAPSTAN_SERVICE_PACKAGE_VERSION"));
            }
        }
        return out;
    }

    /** The NUL-separated environment of a live process, as /proc shows it. */
    private static String environment(long pid) throws java.io.IOException {
        return java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "environ")).replace('\0', '\n');
    }

    private List<String> webVersions() {
        return List.copyOf(webProcesses().values());
    }

    /** What is wrong with the store partition now: no Primary, or fewer than minReplicaSetSize Ready replicas. */
    private String storeProblem() {
        JsonNode partitions = api.get("/v1/apps/Up/services/Store").ok().path("partitions");
        for (JsonNode p : partitions) {
            if (p.path("primary").isNull() || p.path("primary").isMissingNode()) {
                return "no Primary: " + p;
            }
            if (p.path("ready").asInt() < 2) {
                return "fewer than 2 Ready: " + p;
            }
        }
        return null;
    }
}
