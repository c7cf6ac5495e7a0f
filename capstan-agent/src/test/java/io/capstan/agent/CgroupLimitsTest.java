package io.capstan.agent;

import static io.capstan.agent.Fixture.CP;
import static io.capstan.agent.Fixture.activation;
import static io.capstan.agent.Fixture.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.agent.cgroup.CgroupMode;
import io.capstan.model.manifest.ResourceRequest;
import io.capstan.model.manifest.ServicePackageManifest;
import io.capstan.model.wire.ServicePackageActivation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Resource limits through cgroups: the process starts inside its code package's cgroup with its limits set. */
class CgroupLimitsTest extends FixtureTest {

    @Test
    void theProcessRunsInItsCgroupWithItsLimits() throws Exception {
        ActivationManager m = f.manager();
        Assumptions.assumeTrue(m.limitsEnforced(), "cgroups are not writable here: " + m.limitsProblem());
        ServicePackageManifest sp = f.servicePackage("1.0.0",
                List.of(f.codePackage(CP, "fork", new ResourceRequest(0.5, 64))), List.of());
        ServicePackageActivation a = activation("App1", "q9", sp, List.of());
        m.converge(f.assignment(1, a));
        long pid = await().until(() -> running(m, a.key(), CP), Optional::isPresent).orElseThrow().pid();
        Path childFile = m.activationDir(a.key()).resolve("work/child");
        await().until(() -> Files.exists(childFile) && !Files.readString(childFile).isBlank());
        long child = Long.parseLong(Files.readString(childFile).trim());

        String relative = "/capstan/" + f.config.cgroupScope() + "/" + a.key().directoryName() + "/" + CP;
        if (m.cgroupMode() == CgroupMode.V1) {
            // The program and what it forked are inside, from their first instruction on.
            for (long p : List.of(pid, child)) {
                assertThat(Files.readAllLines(Path.of("/proc/" + p + "/cgroup")))
                        .contains(memoryLine(p) + relative);
            }
            Path memory = Path.of(Fixture.CGROUP_ROOT, "memory").resolve(relative.substring(1));
            assertThat(Files.readString(memory.resolve("memory.limit_in_bytes")).trim()).isEqualTo(Long.toString(64L * 1024 * 1024));
            Path cpu = Path.of(Fixture.CGROUP_ROOT, "cpu").resolve(relative.substring(1));
            assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us")).trim()).isEqualTo("50000");
            assertThat(Files.readString(cpu.resolve("cpu.cfs_period_us")).trim()).isEqualTo("100000");
            assertThat(Files.readAllLines(memory.resolve("cgroup.procs"))).contains(Long.toString(pid), Long.toString(child));
        } else {
            assertThat(Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))).contains("0::" + relative);
            Path dir = Path.of(Fixture.CGROUP_ROOT).resolve(relative.substring(1));
            assertThat(Files.readString(dir.resolve("memory.max")).trim()).isEqualTo(Long.toString(64L * 1024 * 1024));
            assertThat(Files.readString(dir.resolve("cpu.max")).trim()).isEqualTo("50000 100000");
        }
        m.converge(f.assignment(2));
        await().until(() -> m.deployed().isEmpty());
        for (String c : List.of("memory", "cpu", "pids")) {
            assertThat(f.cgroupNodeDir(c)).doesNotExist();
        }
    }

    @Test
    void withoutCgroupsProcessesStillRunAndTheAgentSaysLimitsAreNotEnforced() throws Exception {
        Fixture noCgroups = new Fixture(tmp.resolve("nocg"), b -> b.cgroupRoot(tmp.resolve("no-such-cgroup-fs")));
        try {
            ActivationManager m = noCgroups.manager();
            assertThat(m.limitsEnforced()).isFalse();
            assertThat(m.cgroupMode()).isEqualTo(CgroupMode.NONE);
            assertThat(m.limitsProblem()).contains("no cgroup hierarchy");
            ServicePackageActivation a = activation("App1", "", noCgroups.servicePackage("run"), List.of());
            m.converge(noCgroups.assignment(1, a));
            await().until(() -> running(m, a.key(), CP), Optional::isPresent);
        } finally {
            noCgroups.close();
        }
    }

    /** "4:memory:" on v1: the hierarchy id differs per machine, so read it from the process's own file. */
    private static String memoryLine(long pid) throws Exception {
        return Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream()
                .filter(l -> l.contains(":memory:"))
                .map(l -> l.substring(0, l.indexOf(":memory:") + ":memory:".length()))
                .findFirst().orElseThrow();
    }
}
