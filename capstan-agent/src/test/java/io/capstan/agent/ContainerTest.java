package io.capstan.agent;

import static io.capstan.agent.Fixture.CP;
import static io.capstan.agent.Fixture.activation;
import static io.capstan.agent.Fixture.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capstan.agent.image.TestImages;
import io.capstan.agent.process.Executables;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.ProbeStatus;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.CodePackageProbes;
import io.capstan.model.manifest.ProbeSpec;
import io.capstan.model.manifest.ContainerSpec;
import io.capstan.model.manifest.EndpointManifest;
import io.capstan.model.manifest.ResourceRequest;
import io.capstan.model.wire.ServicePackageActivation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real container: a busybox image built by the test as an OCI layout in the package, run by runc in the
 * foreground under the agent's supervision, adopted by a second agent, and leaving nothing behind.
 */
class ContainerTest {

    /** pid, hostname, whether the rootfs is writable and the seccomp mode, written where the host can read them. */
    private static final String SCRIPT = """
            echo $$ > /capstan/work/pid
            hostname > /capstan/work/hostname
            if touch /written 2> /capstan/work/touch; then echo writable > /capstan/work/touch; fi
            cat /proc/self/status > /capstan/work/status
            echo "$FROM_IMAGE $CAPSTAN_CODE_PACKAGE_NAME" > /capstan/work/env
            cat /capstan/code/greeting > /capstan/work/greeting
            exec httpd -f -p 127.0.0.1:$CAPSTAN_ENDPOINT_WEB_PORT -h /www
            """;

    @TempDir
    Path tmp;
    Fixture f;
    String runtime;

    @BeforeEach
    void setUp() throws Exception {
        node("runc");
    }

    /** A fresh node whose containers run with {@code runtimeName}. */
    private void node(String runtimeName) throws Exception {
        if (f != null) {
            f.close();
            assertNothingLeft();
            f = null;
        }
        runtime = Executables.find(runtimeName).map(Path::toString).orElse(null);
        assumeTrue(runtime != null && Files.isExecutable(TestImages.BUSYBOX),
                "needs " + runtimeName + " and busybox-static (.ci/run installs them)");
        assumeTrue("root".equals(System.getProperty("user.name")), runtimeName + " needs root");
        f = new Fixture(tmp.resolve(runtimeName), b -> b.stopGrace(Duration.ofMillis(500)).containerRuntime(runtimeName));
        Path cpDir = f.packageRoot.resolve(Fixture.SP).resolve(CP);
        TestImages.writeLayout(cpDir.resolve("image"), List.of(TestImages.busyboxLayer()), List.of("/bin/sh", "-c", SCRIPT));
        Files.writeString(cpDir.resolve("greeting"), "hi from the package\n");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (f != null) {
            f.close();
            assertNothingLeft();
        }
    }

    @Test
    void runsIsolatedServesTheHostAndIsAdoptedByTheNextAgent() throws Exception {
        runsIsolatedServesTheHostAndIsAdopted();
    }

    @Test
    void crunIsAnAlternativeRuntime() throws Exception {
        // On this machine's kind of v1/v2 hybrid crun 1.8 refuses to run at all unless the agent hides the unified
        // hierarchy from it (ContainerRuntime): the whole scenario must pass as under runc.
        node("crun");
        runsIsolatedServesTheHostAndIsAdopted();
    }

    private void runsIsolatedServesTheHostAndIsAdopted() throws Exception {
        ActivationManager first = f.manager();
        ServicePackageActivation a = activation("App1", "", f.servicePackage("1.0.0", List.of(container()),
                List.of(new EndpointManifest("web", "http", null))), List.of());
        first.converge(f.assignment(1, a));
        CodePackageStatus up = await().atMost(Duration.ofSeconds(20)).failFast(() -> Fixture.status(first, a.key(), CP)
                        .filter(c -> c.restartCount() > 0).map(c -> { throw new AssertionError(c.stderrTail()); }).isPresent())
                .until(() -> running(first, a.key(), CP), Optional::isPresent)
                .orElseThrow();
        Path work = first.activationDir(a.key()).resolve("work");
        int port = Fixture.find(first, a.key()).orElseThrow().endpoints().get("web");

        String body = await().until(() -> get(port), b -> b != null);
        assertThat(body).isEqualTo("hello from a container\n");
        assertThat(Files.readString(work.resolve("pid")).strip()).as("pid 1 in its own pid namespace").isEqualTo("1");
        assertThat(Files.readString(work.resolve("hostname")).strip()).startsWith("mycodepackage-app1");
        assertThat(Files.readString(work.resolve("touch"))).contains("Read-only file system");
        assertThat(Files.readString(work.resolve("status"))).contains("Seccomp:\t2").contains("NoNewPrivs:\t1");
        assertThat(Files.readString(work.resolve("env")).strip()).isEqualTo("yes " + CP);
        assertThat(Files.readString(work.resolve("greeting"))).isEqualTo("hi from the package\n");
        assertThat(containers()).hasSize(1);

        // The agent goes away; the container does not, and the next agent adopts it.
        first.close();
        assertThat(Fixture.alive(up.pid())).isTrue();
        ActivationManager second = f.manager();
        assertThat(running(second, a.key(), CP).orElseThrow().pid()).isEqualTo(up.pid());
        assertThat(get(port)).isEqualTo("hello from a container\n");

        // Killed from outside, it is restarted like a process.
        runtime("kill", containers().getFirst(), "KILL");
        CodePackageStatus again = await().atMost(Duration.ofSeconds(20))
                .until(() -> running(second, a.key(), CP).filter(c -> c.pid() != up.pid()), Optional::isPresent).orElseThrow();
        assertThat(again.restartCount()).isEqualTo(1);
        await().until(() -> get(port), b -> b != null);

        second.converge(f.assignment(2));
        await().until(() -> second.deployed().isEmpty());
        assertThat(Fixture.alive(again.pid())).isFalse();
        assertThat(get(port)).isNull();
    }

    @Test
    void aPrivateNetworkGetsItsOwnNamespaceWithTheEndpointPortMappedFromTheHost() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/lib/cni/portmap")) && Executables.find("ip").isPresent()
                && Executables.find("iptables").isPresent(), "needs containernetworking-plugins, iproute2 and iptables");
        Set<String> netnsBefore = netns();
        ActivationManager m = f.manager();
        CodePackageManifest cp = new CodePackageManifest(CP, "1.0.0", new ContainerSpec("image", List.of("/bin/sh", "-c",
                "cat /proc/net/dev > /capstan/work/netdev; exec httpd -f -p 0.0.0.0:$CAPSTAN_ENDPOINT_WEB_PORT -h /www"), null,
                ContainerSpec.PRIVATE), ResourceRequest.NONE, null, Fixture.FAST_RESTARTS);
        ServicePackageActivation a = activation("App1", "", f.servicePackage("1.0.0", List.of(cp),
                List.of(new EndpointManifest("web", "http", null))), List.of());
        m.converge(f.assignment(1, a));
        await().atMost(Duration.ofSeconds(20)).until(() -> running(m, a.key(), CP), Optional::isPresent);
        int port = Fixture.find(m, a.key()).orElseThrow().endpoints().get("web");
        assertThat(await().until(() -> get(port), b -> b != null)).as("the host reaches it on 127.0.0.1").isEqualTo(
                "hello from a container\n");
        String netdev = Files.readString(m.activationDir(a.key()).resolve("work/netdev"));
        assertThat(netdev).as("its own interfaces, not the host's").contains("eth0:").doesNotContain("capstan0");
        Set<String> added = new java.util.HashSet<>(netns());
        added.removeAll(netnsBefore);
        assertThat(added).hasSize(1);
        String name = added.iterator().next();
        assertThat(natRules()).as("a port mapping for it").contains(name);

        m.converge(f.assignment(2));
        await().until(() -> m.deployed().isEmpty());
        assertThat(netns()).as("the namespace goes with the container").isEqualTo(netnsBefore);
        assertThat(natRules()).as("and its port mappings").doesNotContain(name);
        // Once in ten runs of the class the port still answered right after the delete (not reproduced alone): wait.
        await().atMost(Duration.ofSeconds(5)).until(() -> get(port) == null);
    }

    @Test
    void aUserNamespacedContainersRootIsAnUnprivilegedHostUser() throws Exception {
        userNamespaced();
    }

    @Test
    void aUserNamespacedContainerUnderCrun() throws Exception {
        node("crun");
        userNamespaced();
    }

    private void userNamespaced() throws Exception {
        // The container's root is host uid 100000: it must be able to pass through the test's private temp folder.
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        ActivationManager m = f.manager();
        CodePackageManifest cp = new CodePackageManifest(CP, "1.0.0", new ContainerSpec("image", List.of("/bin/sh", "-c",
                "id -u > /capstan/work/uid; cat /proc/self/uid_map > /capstan/work/uid_map;"
                        + " exec httpd -f -p 127.0.0.1:$CAPSTAN_ENDPOINT_WEB_PORT -h /www"), null, ContainerSpec.HOST, true),
                ResourceRequest.NONE, null, Fixture.FAST_RESTARTS);
        ServicePackageActivation a = activation("App1", "", f.servicePackage("1.0.0", List.of(cp),
                List.of(new EndpointManifest("web", "http", null))), List.of());
        m.converge(f.assignment(1, a));
        await().atMost(Duration.ofSeconds(20)).failFast(() -> Fixture.status(m, a.key(), CP)
                        .filter(c -> c.restartCount() > 0).map(c -> { throw new AssertionError(c.stderrTail()); }).isPresent())
                .until(() -> running(m, a.key(), CP), Optional::isPresent);
        int port = Fixture.find(m, a.key()).orElseThrow().endpoints().get("web");
        Path work = m.activationDir(a.key()).resolve("work");
        Path err = m.activationDir(a.key()).resolve("log").resolve(CP + ".err");
        await().atMost(Duration.ofSeconds(10)).failFast(() -> {
            if (Files.exists(err) && Files.size(err) > 0) {
                throw new AssertionError("the container wrote to stderr: " + Files.readString(err));
            }
        }).until(() -> get(port), b -> b != null);
        assertThat(Files.readString(work.resolve("uid")).strip()).as("root inside").isEqualTo("0");
        assertThat(Files.readString(work.resolve("uid_map")).trim().split("\\s+")).containsExactly("0",
                Integer.toString(ContainerSpec.MAPPED_UID_BASE), Integer.toString(ContainerSpec.MAPPED_ID_COUNT));
        assertThat(Files.getAttribute(work.resolve("uid"), "unix:uid")).as("the host sees an unprivileged user")
                .isEqualTo(ContainerSpec.MAPPED_UID_BASE);
        m.converge(f.assignment(2));
        await().until(() -> m.deployed().isEmpty());
    }

    @Test
    void aNetworkNoRecordExplainsIsRemovedByTheNextAgent() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/lib/cni/portmap")) && Executables.find("ip").isPresent()
                && Executables.find("iptables").isPresent(), "needs containernetworking-plugins, iproute2 and iptables");
        Set<String> netnsBefore = netns();
        ActivationManager first = f.manager();
        CodePackageManifest cp = new CodePackageManifest(CP, "1.0.0", new ContainerSpec("image", List.of("/bin/sh", "-c",
                "exec httpd -f -p 0.0.0.0:$CAPSTAN_ENDPOINT_WEB_PORT -h /www"), null, ContainerSpec.PRIVATE),
                ResourceRequest.NONE, null, Fixture.FAST_RESTARTS);
        ServicePackageActivation a = activation("App1", "", f.servicePackage("1.0.0", List.of(cp),
                List.of(new EndpointManifest("web", "http", null))), List.of());
        first.converge(f.assignment(1, a));
        await().atMost(Duration.ofSeconds(20)).until(() -> running(first, a.key(), CP), Optional::isPresent);
        // What a crash at the wrong moment leaves: the network, without the container or the activation's record.
        first.close();
        runtime("delete", "--force", containers().getFirst());
        Files.delete(first.activationDir(a.key()).resolve(ActivationPaths.RECORD));
        assertThat(netns()).hasSize(netnsBefore.size() + 1);

        ActivationManager second = f.manager();
        assertThat(netns()).as("the next agent removes the namespace no record explains").isEqualTo(netnsBefore);
        assertThat(second.deployed()).isEmpty();
    }

    private static String natRules() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("iptables", "-t", "nat", "-S").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static Set<String> netns() throws IOException {
        Path dir = Path.of("/var/run/netns");
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    void execProbesRunInsideTheContainer() throws Exception {
        execProbesRunInside();
    }

    @Test
    void execProbesRunInsideACrunContainer() throws Exception {
        node("crun");
        execProbesRunInside();
    }

    /**
     * The readiness check looks for a file only the container's own /tmp holds and for the container's environment; a
     * liveness check that hangs is killed inside the container at its timeout (nothing of it is left afterwards).
     */
    private void execProbesRunInside() throws Exception {
        ActivationManager m = f.manager();
        String marker = "ready-" + f.node;
        ProbeSpec readiness = new ProbeSpec(ProbeSpec.Kind.exec, null, null, null, List.of("/bin/sh", "-c",
                "test -f /tmp/" + marker + " && test \"$FROM_IMAGE\" = yes && echo inside $(hostname)"), null,
                Duration.ofMillis(200), Duration.ofSeconds(5), 1, 1);
        ProbeSpec liveness = new ProbeSpec(ProbeSpec.Kind.exec, null, null, null, List.of("sleep", "1000"), null,
                Duration.ofMillis(300), Duration.ofMillis(300), 1000, 1);
        CodePackageManifest cp = new CodePackageManifest(CP, "1.0.0", new ContainerSpec("image", List.of("/bin/sh", "-c",
                "touch /tmp/" + marker + "; exec sleep 1000"), null), ResourceRequest.NONE,
                new CodePackageProbes(null, liveness, readiness), Fixture.FAST_RESTARTS);
        ServicePackageActivation a = activation("App1", "", f.servicePackage("1.0.0", List.of(cp), List.of()), List.of());
        m.converge(f.assignment(1, a));
        CodePackageStatus ready = await().atMost(Duration.ofSeconds(20)).until(() -> running(m, a.key(), CP),
                o -> o.filter(CodePackageStatus::ready).isPresent()).orElseThrow();
        assertThat(Files.exists(Path.of("/tmp", marker))).as("the marker is the container's, not the host's").isFalse();
        // The liveness check timed out at least twice by now: each was killed inside the container.
        await().atMost(Duration.ofSeconds(10)).until(() -> Fixture.status(m, a.key(), CP).orElseThrow().probes().stream()
                .anyMatch(p -> p.type() == ProbeStatus.Type.Liveness && p.consecutiveFailures() >= 2));
        assertThat(Fixture.status(m, a.key(), CP).orElseThrow().probes()).anySatisfy(p -> {
            assertThat(p.type()).isEqualTo(ProbeStatus.Type.Liveness);
            assertThat(p.lastMessage()).contains("timed out after 300ms running sleep");
        });
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(sleepersOfThisNode())
                .as("only the container's own sleep 1000 (a check may be running); every timed-out check was killed")
                .isBetween(1L, 2L));
        assertThat(ready.restartCount()).isZero();
        m.converge(f.assignment(2));
        await().until(() -> m.deployed().isEmpty());
    }

    @Test
    void aContainerThatExitsIsRestartedWithItsExitCode() throws Exception {
        ActivationManager m = f.manager();
        CodePackageManifest failing = new CodePackageManifest(CP, "1.0.0",
                new ContainerSpec("image", List.of("/bin/sh", "-c", "echo boom >&2; exit 7"), null), ResourceRequest.NONE,
                null, Fixture.FAST_RESTARTS);
        ServicePackageActivation a = activation("App1", "", f.servicePackage("1.0.0", List.of(failing), List.of()), List.of());
        m.converge(f.assignment(1, a));
        CodePackageStatus s = await().atMost(Duration.ofSeconds(20)).until(() -> Fixture.status(m, a.key(), CP),
                o -> o.filter(c -> c.restartCount() >= 2).isPresent()).orElseThrow();
        assertThat(s.lastExitCode()).as(s.stderrTail()).isEqualTo(7);
        assertThat(s.stderrTail()).contains("boom");
        m.converge(f.assignment(2));
        await().until(() -> m.deployed().isEmpty());
    }

    @Test
    void aContainerSeesItsConfigReadOnlyAndAConfigRefreshSignalsItThroughTheRuntime() throws Exception {
        String script = """
                c=$CAPSTAN_CONFIG_SETTINGS_DIR
                echo "$c" > /capstan/work/config-dir
                read_config() { cat "$c/app.conf" > /capstan/work/seen.tmp; mv /capstan/work/seen.tmp /capstan/work/seen; }
                trap 'echo hup >> /capstan/work/hups; read_config' HUP
                trap 'exit 0' TERM
                read_config
                if touch "$c/x" 2> /dev/null; then echo writable; else echo read-only; fi > /capstan/work/config-ro
                while true; do sleep 1 & wait $!; done
                """;
        Files.createDirectories(f.packageRoot.resolve(Fixture.SP).resolve("Settings"));
        Files.writeString(f.packageRoot.resolve(Fixture.SP).resolve("Settings/app.conf"), "color=blue\n");
        ActivationManager m = f.manager();
        ServicePackageActivation v1 = configured(Fixture.DIGEST, "1.0.0", script);
        m.converge(f.assignment(1, v1));
        long pid = await().atMost(Duration.ofSeconds(20)).until(() -> running(m, v1.key(), CP), Optional::isPresent).orElseThrow().pid();
        Path work = m.activationDir(v1.key()).resolve("work");
        await().until(() -> Files.exists(work.resolve("config-ro")));
        assertThat(work.resolve("config-dir")).hasContent("/capstan/config/Settings");
        assertThat(work.resolve("seen")).hasContent("color=blue");
        assertThat(work.resolve("config-ro")).hasContent("read-only");

        Path v2 = f.packageVersion("digest-2");
        Files.writeString(v2.resolve(Fixture.SP).resolve("Settings/app.conf"), "color=green\n");
        m.converge(f.assignment(2, configured("digest-2", "2.0.0", script)));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(work.resolve("hups"))
                && Files.readString(work.resolve("seen")).equals("color=green\n"));
        assertThat(Files.readAllLines(work.resolve("hups"))).as("once: through the runtime, not also through runc").containsExactly("hup");
        assertThat(running(m, v1.key(), CP).orElseThrow().pid()).isEqualTo(pid);
        m.converge(f.assignment(3));
        await().until(() -> m.deployed().isEmpty());
    }

    /** A container running {@code script} that reads config package Settings and takes a config change with SIGHUP. */
    private ServicePackageActivation configured(String digest, String configVersion, String script) {
        CodePackageManifest cp = new CodePackageManifest(CP, "1.0.0", new ContainerSpec("image", List.of("/bin/sh", "-c", script),
                null), ResourceRequest.NONE, null, Fixture.FAST_RESTARTS, null, new io.capstan.model.manifest.OnConfigChange("HUP"));
        var sp = new io.capstan.model.manifest.ServicePackageManifest(Fixture.SP, "1.0.0", f.servicePackage("run").serviceTypes(),
                List.of(cp), List.of(), List.of(new io.capstan.model.manifest.FilesPackageManifest("Settings", configVersion)), List.of());
        return new ServicePackageActivation("App1", Fixture.APP_TYPE, configVersion, digest, "",
                io.capstan.model.ActivationMode.SHARED_PROCESS, sp, List.of());
    }

    @Test
    void aCorruptImageFailsTheActivationWithTheReason() throws Exception {
        Path blobs = f.packageRoot.resolve(Fixture.SP).resolve(CP).resolve("image/blobs/sha256");
        try (Stream<Path> s = Files.list(blobs)) {
            for (Path blob : s.toList()) {
                if (Files.size(blob) > 100_000) { // the busybox layer
                    byte[] bytes = Files.readAllBytes(blob);
                    bytes[bytes.length / 2] ^= 1;
                    Files.write(blob, bytes);
                }
            }
        }
        ActivationManager m = f.manager();
        ServicePackageActivation a = activation("App1", "", f.servicePackage("1.0.0", List.of(container()),
                List.of(new EndpointManifest("web", "http", null))), List.of());
        m.converge(f.assignment(1, a));
        DeployedServicePackage d = await().until(() -> Fixture.find(m, a.key()),
                o -> o.filter(x -> x.state() == DeployedServicePackage.ActivationState.Failing).isPresent()).orElseThrow();
        assertThat(d.codePackages().getFirst().stderrTail()).contains("is corrupt: its content hashes to sha256:");
        assertThat(containers()).isEmpty();
        m.converge(f.assignment(2));
        await().until(() -> m.deployed().isEmpty());
    }

    private static CodePackageManifest container() {
        return new CodePackageManifest(CP, "1.0.0", new ContainerSpec("image", List.of(), null), ResourceRequest.NONE, null,
                Fixture.FAST_RESTARTS);
    }

    /** Processes running {@code sleep 1000} in this node's cgroups. */
    private long sleepersOfThisNode() {
        return ProcessHandle.allProcesses().filter(h -> {
            Path proc = Path.of("/proc", Long.toString(h.pid()));
            try {
                // /proc/<pid>/cmdline as written (ProcessHandle.Info names the executable, busybox here).
                return Files.readString(proc.resolve("cmdline")).equals("sleep\u00001000\u0000")
                        && Files.readString(proc.resolve("cgroup")).contains(f.config.cgroupScope());
            } catch (IOException e) {
                return false;
            }
        }).count();
    }

    private List<String> containers() throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        for (String line : runtime("list", "-q").split("\n")) {
            if (!line.isBlank()) {
                ids.add(line.strip());
            }
        }
        return ids;
    }

    private String runtime(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(runtime, "--root", f.config.dataDir().resolve("runtime").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    static String get(int port) {
        try (HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** No runc container, no bundle, no cgroup of this node in any hierarchy. */
    private void assertNothingLeft() throws Exception {
        assertThat(containers()).isEmpty();
        try (Stream<Path> hierarchies = Files.list(Path.of(Fixture.CGROUP_ROOT))) {
            for (Path h : hierarchies.toList()) {
                assertThat(h.resolve("capstan").resolve(f.config.cgroupScope())).as("cgroup under " + h).doesNotExist();
            }
        }
    }
}
