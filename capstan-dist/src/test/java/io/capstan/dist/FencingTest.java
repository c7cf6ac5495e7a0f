package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.agent.AgentConfig;
import io.capstan.agent.cgroup.Cgroups;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fencing with real processes: a server and three agents, each agent reaching the server through a TCP proxy of its
 * own, which the test cuts to isolate that node (as a network partition would) and heals. Every workload process logs
 * what its replicas file says, with the time, so roles are checked from the processes' own view, never from the
 * cluster state. The heartbeat policy is the default one (1 s interval, 3 s down-after), so the lease is 3 s and the
 * margin 1.3 s.
 */
class FencingTest {

    private static final long LEASE_MILLIS = 3_000;
    /** The node's last heartbeat that was answered went out at most one interval before the cut. */
    private static final long INTERVAL_MILLIS = 1_000;

    @TempDir
    Path dir;

    private final Map<String, Process> agents = new TreeMap<>();
    private final Map<String, TcpProxy> proxies = new TreeMap<>();
    private Process server;
    private String api;
    private ClusterApi client;
    private Path roleLog;

    @BeforeEach
    void startCluster() throws Exception {
        int apiPort = TestCluster.freePort();
        api = "http://127.0.0.1:" + apiPort;
        int firstPort = 25000 + (int) (ProcessHandle.current().pid() % 40) * 100;
        client = new ClusterApi(api);
        server = CapstanProcess.start(dir.resolve("server.log"), "server", "--name", "s1",
                "--raft-address", "127.0.0.1:" + TestCluster.freePort(), "--api-port", Integer.toString(apiPort),
                "--data", dir.resolve("server").toString(), "--node-down-after", "3s");
        for (int i = 1; i <= 3; i++) {
            String node = "node-" + i;
            TcpProxy proxy = new TcpProxy(apiPort);
            proxies.put(node, proxy);
            int first = firstPort + i * 30;
            agents.put(node, CapstanProcess.start(dir.resolve(node + ".log"), "agent", "--servers", proxy.url(),
                    "--name", node, "--fault-domain", "fd:/rack" + i, "--upgrade-domain", "UD" + i,
                    "--data", dir.resolve(node).toString(), "--capacity", "cpu=4,memory=4096",
                    "--endpoint-ports", first + "-" + (first + 29)));
        }
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> client.get("/v1/cluster/status").ok().path("nodes").path("up").asInt() == 3);
        roleLog = dir.resolve("roles.log");
        assertThat(client.registerPackage(Path.of("src/test/apps/fencing-app").toAbsolutePath()).status()).isEqualTo(201);
        client.post("/v1/apps", Map.of("name", "FencingApp", "type", "FencingAppType", "version", "1.0.0",
                "parameters", Map.of("RoleLog", roleLog.toString()))).ok();
        await().atMost(Duration.ofSeconds(60)).until(() -> client.get("/v1/apps/FencingApp").ok().path("converged").asBoolean());
        // Every process has read its replicas file: three Edge instances, a Primary and a secondary of Ledger.
        await().atMost(Duration.ofSeconds(20)).until(() -> current().size() == 5
                && current().values().stream().filter(RoleLine::servesAsPrimary).count() == 1);
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        for (Process agent : agents.values()) {
            agent.destroyForcibly().waitFor(); // dead before its workloads go, so it restarts none of them
        }
        if (server != null) {
            server.destroyForcibly();
        }
        proxies.values().forEach(TcpProxy::close);
        // Workloads carry the first server URL their agent was given: here, its proxy's.
        List<String> urls = proxies.values().stream().map(TcpProxy::url).toList();
        urls.forEach(NodeProcesses::killAll);
        await().atMost(Duration.ofSeconds(30)).until(() -> urls.stream().allMatch(u -> NodeProcesses.all(u).isEmpty()));
        for (String node : agents.keySet()) {
            String scope = AgentConfig.builder(node, dir.resolve(node)).build().cgroupScope();
            try {
                Cgroups.removeLeftovers(AgentConfig.DEFAULT_CGROUP_ROOT, scope);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Two isolations of the node hosting the Primary, on one cluster (it takes half a minute to start): first one just
     * beyond the lease, healed before the leader moves the Primary, so the same process is Primary again; then one
     * long enough for the leader to move it.
     */
    @Test
    void anIsolatedAgentDemotesItsPrimaryWithinItsLeaseAndOnHealFollowsWhatTheClusterDecided() throws Exception {
        backBeforeThePromotionIsPrimaryAgainWithTheSameProcess();
        isolatedBeyondTheLeaseTheNewPrimaryServesOnlyAfterTheOldWasDemotedAndHealsToOnePrimary();
    }

    private void backBeforeThePromotionIsPrimaryAgainWithTheSameProcess() throws Exception {
        RoleLine oldPrimary = primaryLine();
        String victim = oldPrimary.node();

        long cutAt = System.currentTimeMillis();
        proxies.get(victim).cut();
        RoleLine demoted = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(
                () -> lines().stream().filter(l -> l.pid() == oldPrimary.pid() && l.fenced() && l.at() >= cutAt).findFirst(), Optional::isPresent).get();
        // Back at once: the leader, which may have marked the node Down meanwhile, waits for lease + margin
        // (4.3 s from the last heartbeat) before it moves the Primary; the node is Up again before that.
        proxies.get(victim).heal();
        System.out.printf("isolation -> demotion %d ms%n", demoted.at() - cutAt);

        RoleLine again = await().atMost(Duration.ofSeconds(20)).until(() -> lines().stream()
                .filter(l -> l.pid() == oldPrimary.pid() && l.servesAsPrimary() && l.at() > demoted.at()).findFirst(), Optional::isPresent).get();
        System.out.printf("demotion -> Primary again %d ms%n", again.at() - demoted.at());
        // If the node was Down for a moment, its Edge instance is placed anew and started.
        await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
            assertThat(client.get("/v1/apps/FencingApp").ok().path("converged").asBoolean()).isTrue();
            assertThat(current().values()).filteredOn(RoleLine::servesAsPrimary).extracting(RoleLine::pid)
                    .containsExactly(oldPrimary.pid());
            // Settled: if the node was Down for a moment, its Edge instance was placed anew.
            assertThat(current()).hasSize(5);
        });
        assertThat(lines()).filteredOn(l -> l.service().endsWith("/Ledger") && l.pid() != oldPrimary.pid())
                .as("the secondary was never told it is Primary").noneMatch(RoleLine::servesAsPrimary);
        neverTwoPrimariesAtOnce();
    }

    private void isolatedBeyondTheLeaseTheNewPrimaryServesOnlyAfterTheOldWasDemotedAndHealsToOnePrimary() throws Exception {
        RoleLine oldPrimary = primaryLine();
        String victim = oldPrimary.node();
        long edgePid = edgeOn(victim).pid();

        long cutAt = System.currentTimeMillis();
        proxies.get(victim).cut();

        RoleLine demoted = await().atMost(Duration.ofSeconds(10)).until(
                () -> lines().stream().filter(l -> l.pid() == oldPrimary.pid() && l.fenced() && l.at() >= cutAt).findFirst(), Optional::isPresent).get();
        assertThat(demoted.role()).as("what a fenced Primary reads").isEqualTo("ActiveSecondary");
        RoleLine promoted = await().atMost(Duration.ofSeconds(20)).until(() -> lines().stream()
                .filter(l -> l.pid() != oldPrimary.pid() && l.servesAsPrimary() && l.at() >= cutAt).findFirst(), Optional::isPresent).get();
        System.out.printf("isolation -> demotion %d ms, isolation -> new Primary %d ms%n", demoted.at() - cutAt, promoted.at() - cutAt);
        assertThat(demoted.at() - cutAt).as("demoted within the lease (3 s) and 500 ms")
                .isBetween(LEASE_MILLIS - INTERVAL_MILLIS - 100, LEASE_MILLIS + 500);
        assertThat(promoted.node()).isNotEqualTo(victim);
        assertThat(promoted.at()).as("the new Primary serves only after the old one was demoted").isGreaterThan(demoted.at());
        neverTwoPrimariesAtOnce();
        // Nothing restarted on the isolated node: its stateless instance still runs, its demoted Primary too.
        assertThat(ProcessHandle.of(edgePid)).as("the isolated node's Edge instance").isPresent();
        assertThat(lines()).filteredOn(l -> l.pid() == edgePid).as("what its replicas file said, once").hasSize(1);
        assertThat(ProcessHandle.of(oldPrimary.pid())).as("the demoted Primary, not restarted").isPresent();

        proxies.get(victim).heal();
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            assertThat(client.get("/v1/nodes/" + victim).ok().path("status").asText()).isEqualTo("Up");
            assertThat(client.get("/v1/apps/FencingApp").ok().path("converged").asBoolean()).isTrue();
            assertThat(ledgerReplicas()).hasSize(2).filteredOn(r -> r.path("role").asText().equals("Primary")).hasSize(1);
            Map<Long, RoleLine> live = current();
            assertThat(live.values()).as("live processes: 3 Edge, 2 Ledger, no duplicate").hasSize(5)
                    .filteredOn(l -> l.service().endsWith("/Ledger")).hasSize(2);
            assertThat(live.values()).filteredOn(RoleLine::servesAsPrimary).extracting(RoleLine::pid)
                    .containsExactly(promoted.pid());
        });
        neverTwoPrimariesAtOnce();
    }

    /** One line of the processes' role log: when, which process on which node, and what its replicas file said. */
    record RoleLine(long at, String node, long pid, String service, long replicaId, String role, boolean fenced) {

        static RoleLine parse(String line) {
            String[] f = line.split(" ");
            return new RoleLine(Long.parseLong(f[0]), f[1], Long.parseLong(f[2]), f[3], Long.parseLong(f[4]), f[5],
                    f[6].equals("fenced"));
        }

        boolean servesAsPrimary() {
            return role.equals("Primary") && !fenced;
        }
    }

    private List<RoleLine> lines() throws IOException {
        if (!Files.exists(roleLog)) {
            return List.of();
        }
        List<RoleLine> out = new ArrayList<>();
        for (String line : Files.readAllLines(roleLog)) {
            // A line being appended right now may be incomplete: it is read whole next time.
            if (line.split(" ").length == 7) {
                out.add(RoleLine.parse(line));
            }
        }
        return out;
    }

    /** The last line of every live process. */
    private Map<Long, RoleLine> current() throws IOException {
        Map<Long, RoleLine> last = new LinkedHashMap<>();
        for (RoleLine l : lines()) {
            last.put(l.pid(), l);
        }
        last.keySet().removeIf(pid -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        return last;
    }

    private RoleLine primaryLine() throws IOException {
        return current().values().stream().filter(RoleLine::servesAsPrimary).findFirst().orElseThrow();
    }

    private RoleLine edgeOn(String node) throws IOException {
        return current().values().stream().filter(l -> l.node().equals(node) && l.service().endsWith("/Edge")).findFirst()
                .orElseThrow();
    }

    /** From the processes' own log: at no moment did two processes read that they are Primary. */
    private void neverTwoPrimariesAtOnce() throws IOException {
        Map<Long, Boolean> primary = new HashMap<>();
        for (RoleLine l : lines()) {
            if (l.service().endsWith("/Ledger")) {
                primary.put(l.pid(), l.servesAsPrimary());
                assertThat(primary.values().stream().filter(p -> p).count()).as("Primaries serving at %d", l.at()).isLessThanOrEqualTo(1);
            }
        }
    }

    private List<JsonNode> ledgerReplicas() {
        List<JsonNode> out = new ArrayList<>();
        client.get("/v1/apps/FencingApp/services/Ledger/replicas").ok().path("items").forEach(out::add);
        return out;
    }
}
