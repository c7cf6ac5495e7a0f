package io.capstan.agent;

import static io.capstan.agent.Fixture.CP;
import static io.capstan.agent.Fixture.activation;
import static io.capstan.agent.Fixture.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.agent.cgroup.CgroupMode;
import io.capstan.agent.image.TestImages;
import io.capstan.agent.process.Executables;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.ContainerSpec;
import io.capstan.model.manifest.ProcessSpec;
import io.capstan.model.manifest.ResourceRequest;
import io.capstan.model.wire.ServicePackageActivation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits that hold: a process past its memory limit is OOM-killed and reported so; a busy one gets only its cpu share. */
class ResourceGovernanceTest {

    @TempDir
    Path tmp;
    Fixture f;
    ActivationManager m;

    @BeforeEach
    void setUp() throws Exception {
        f = new Fixture(tmp, b -> b.stopGrace(Duration.ofMillis(500)));
        m = f.manager();
        Assumptions.assumeTrue(m.limitsEnforced(), "cgroups are not writable here: " + m.limitsProblem());
    }

    @AfterEach
    void tearDown() throws Exception {
        f.close();
    }

    @Test
    void aProcessPastItsMemoryLimitIsReportedOomKilled() throws Exception {
        // The shell keeps the whole 200 MB string in memory: far past the 32 MiB limit.
        ProcessSpec hog = f.script("hog.sh", "#!/bin/sh\na=$(head -c 200000000 /dev/zero | tr '\\0' x)\nexec sleep 1000\n", null);
        ServicePackageActivation a = start(hog, new ResourceRequest(0, 32));

        CodePackageStatus killed = await().atMost(Duration.ofSeconds(20)).until(() -> Fixture.status(m, a.key(), CP),
                o -> o.filter(c -> CodePackageSupervisor.OOM_KILLED.equals(c.lastExitReason())).isPresent()).orElseThrow();
        assertThat(killed.lastExitCode()).isEqualTo(137);
        stop();
    }

    @Test
    void aContainerPastItsMemoryLimitIsReportedOomKilled() throws Exception {
        containerPastItsMemoryLimitIsReportedOomKilled("runc");
    }

    @Test
    void aContainerUnderCrunPastItsMemoryLimitIsReportedOomKilled() throws Exception {
        containerPastItsMemoryLimitIsReportedOomKilled("crun");
    }

    /** The same hog as the process's, in a busybox container; the runtime must leave the cgroup's count readable. */
    private void containerPastItsMemoryLimitIsReportedOomKilled(String runtimeName) throws Exception {
        Assumptions.assumeTrue(Executables.find(runtimeName).isPresent() && Files.isExecutable(TestImages.BUSYBOX),
                "needs " + runtimeName + " and busybox-static (.ci/run installs them)");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "containers need root");
        f.close();
        f = new Fixture(tmp.resolve(runtimeName), b -> b.stopGrace(Duration.ofMillis(500)).containerRuntime(runtimeName));
        m = f.manager();
        Path cpDir = f.packageRoot.resolve(Fixture.SP).resolve(CP);
        TestImages.writeLayout(cpDir.resolve("image"), List.of(TestImages.busyboxLayer()), List.of("/bin/sh", "-c",
                "a=$(head -c 200000000 /dev/zero | tr '\\0' x); exec sleep 1000"));
        CodePackageManifest cp = new CodePackageManifest(CP, "1.0.0", new ContainerSpec("image", List.of(), null),
                new ResourceRequest(0, 32), null, Fixture.FAST_RESTARTS);
        ServicePackageActivation a = activation("App1", "", f.servicePackage("1.0.0", List.of(cp), List.of()), List.of());
        m.converge(f.assignment(1, a));

        CodePackageStatus killed = await().atMost(Duration.ofSeconds(20)).until(() -> Fixture.status(m, a.key(), CP),
                o -> o.filter(c -> CodePackageSupervisor.OOM_KILLED.equals(c.lastExitReason())).isPresent()).orElseThrow();
        assertThat(killed.lastExitCode()).isEqualTo(137);
        stop();
        try (Stream<Path> hierarchies = Files.list(Path.of(Fixture.CGROUP_ROOT))) {
            for (Path h : hierarchies.toList()) {
                assertThat(h.resolve("capstan").resolve(f.config.cgroupScope())).as("cgroup under " + h).doesNotExist();
            }
        }
    }

    @Test
    void aProcessKilledOtherwiseIsNotCalledOomKilled() throws Exception {
        ServicePackageActivation a = start(f.script("idle.sh", "#!/bin/sh\nexec sleep 1000\n", null), new ResourceRequest(0, 32));
        long pid = await().until(() -> running(m, a.key(), CP), Optional::isPresent).orElseThrow().pid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        CodePackageStatus after = await().until(() -> running(m, a.key(), CP).filter(c -> c.pid() != pid), Optional::isPresent)
                .orElseThrow();
        assertThat(after.lastExitCode()).isEqualTo(137);
        assertThat(after.lastExitReason()).isNull();
        stop();
    }

    @Test
    void aCpuBoundProcessIsHeldToItsCpuLimit() throws Exception {
        Assumptions.assumeTrue(m.cgroupMode() == CgroupMode.V1 || m.cgroupMode() == CgroupMode.V2);
        ServicePackageActivation a = start(f.script("spin.sh", "#!/bin/sh\nexec yes > /dev/null\n", null), new ResourceRequest(0.2, 0));
        await().until(() -> running(m, a.key(), CP), Optional::isPresent);
        var cgroup = m.cgroupOf(a.key(), CP).orElseThrow();

        long u0 = cgroup.cpuUsageNanos();
        long t0 = System.nanoTime();
        // Wait until it has used 0.4 s of CPU: at 0.2 cores that takes at least 2 s of wall time (1.8 s at +10 %).
        await().atMost(Duration.ofSeconds(15)).until(() -> cgroup.cpuUsageNanos() - u0 >= 400_000_000L);
        long used = cgroup.cpuUsageNanos() - u0;
        long wall = System.nanoTime() - t0;
        assertThat(used).as("cpu ns used in %d ns of wall time", wall).isLessThanOrEqualTo((long) (wall * 0.2 * 1.1));

        // What the agent reports: about the limit in cores, and some memory.
        var usage = m.usage();
        assertThat(usage).hasSize(1);
        assertThat(usage.getFirst().codePackage()).isEqualTo(CP);
        assertThat(usage.getFirst().cpu()).isBetween(0.1, 0.2 * 1.1);
        assertThat(usage.getFirst().memoryMiB()).isPositive();
        stop();
    }

    private ServicePackageActivation start(ProcessSpec program, ResourceRequest resources) throws Exception {
        CodePackageManifest cp = new CodePackageManifest(CP, "1.0.0", program, resources, null, Fixture.FAST_RESTARTS);
        ServicePackageActivation a = activation("App1", "", f.servicePackage("1.0.0", List.of(cp), List.of()), List.of());
        m.converge(f.assignment(1, a));
        return a;
    }

    private void stop() throws Exception {
        m.converge(f.assignment(2));
        await().until(() -> m.deployed().isEmpty());
    }
}
