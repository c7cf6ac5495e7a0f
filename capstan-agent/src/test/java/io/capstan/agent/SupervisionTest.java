package io.capstan.agent;

import static io.capstan.agent.Fixture.CP;
import static io.capstan.agent.Fixture.activation;
import static io.capstan.agent.Fixture.replica;
import static io.capstan.agent.Fixture.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.wire.ServicePackageActivation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restarts with backoff, and deactivation that ends whole process trees. */
class SupervisionTest {

    private static final Duration GRACE = Duration.ofMillis(1500);

    @TempDir
    Path tmp;
    Fixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new Fixture(tmp, b -> b.stopGrace(GRACE));
    }

    @AfterEach
    void tearDown() throws Exception {
        f.close();
    }

    @Test
    void aKilledProcessIsRestartedAtOnce() throws Exception {
        ActivationManager m = f.manager();
        ServicePackageActivation a = activation("App1", "", f.servicePackage("run"), List.of(replica(1, "ServiceA", UUID.randomUUID())));
        m.converge(f.assignment(1, a));
        long pid = await().until(() -> running(m, a.key(), CP), Optional::isPresent).orElseThrow().pid();

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        CodePackageStatus after = await().until(() -> running(m, a.key(), CP).filter(c -> c.pid() != pid), Optional::isPresent)
                .orElseThrow();
        assertThat(after.restartCount()).isEqualTo(1);
        assertThat(after.lastExitCode()).isEqualTo(137); // 128 + SIGKILL, as Java reports a signal death
        assertThat(after.lastExitAt()).isNotNull();
        assertThat(after.state()).isEqualTo(CodePackageStatus.State.Running);
        // The record follows the new pid, so a restarted agent would adopt the right process.
        ActivationRecord record = io.capstan.model.CapstanJson.newMapper()
                .readValue(m.activationDir(a.key()).resolve("activation.json").toFile(), ActivationRecord.class);
        assertThat(record.processes().get(CP).pid()).isEqualTo(after.pid());
        assertThat(record.processes().get(CP).restartCount()).isEqualTo(1);
    }

    @Test
    void aProgramThatKeepsFailingBacksOffLongerEachTime() throws Exception {
        ActivationManager m = f.manager();
        ServicePackageActivation a = activation("App1", "", f.servicePackage("exit"), List.of());
        m.converge(f.assignment(1, a));

        // Backoff 200ms doubling: collect the delays announced while backing off until they have grown twice.
        List<Duration> delays = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> {
            Fixture.find(m, a.key()).ifPresent(d -> {
                CodePackageStatus c = d.codePackages().getFirst();
                if (c.state() == CodePackageStatus.State.Backoff && c.nextRestartAt() != null) {
                    assertThat(d.state()).isEqualTo(DeployedServicePackage.ActivationState.Failing);
                    assertThat(c.lastExitCode()).isEqualTo(3);
                    Duration delay = Duration.between(c.lastExitAt(), c.nextRestartAt());
                    if (delays.isEmpty() || !delays.getLast().equals(delay)) {
                        delays.add(delay);
                    }
                }
            });
            return delays.size() >= 3;
        });
        assertThat(delays.get(0)).isBetween(Duration.ofMillis(150), Duration.ofMillis(250));
        assertThat(delays.get(1)).isGreaterThan(delays.get(0));
        assertThat(delays.get(2)).isGreaterThan(delays.get(1));
        CodePackageStatus c = Fixture.find(m, a.key()).orElseThrow().codePackages().getFirst();
        assertThat(c.restartCount()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void deactivationTerminatesTheWholeGroupAndRemovesEverything() throws Exception {
        ActivationManager m = f.manager();
        ServicePackageActivation a = activation("App1", "", f.servicePackage("fork"), List.of());
        m.converge(f.assignment(1, a));
        long pid = await().until(() -> running(m, a.key(), CP), Optional::isPresent).orElseThrow().pid();
        Path dir = m.activationDir(a.key());
        Path childFile = dir.resolve("work/child");
        await().until(() -> Files.exists(childFile) && !Files.readString(childFile).isBlank());
        long child = Long.parseLong(Files.readString(childFile).trim());
        assertThat(Fixture.alive(child)).isTrue();
        assertThat(f.cgroupNodeDir("memory").resolve(a.key().directoryName()).resolve(CP)).isDirectory();

        long t0 = System.nanoTime();
        m.converge(f.assignment(2));
        assertThat(Fixture.find(m, a.key()).orElseThrow().state()).isEqualTo(DeployedServicePackage.ActivationState.Deactivating);
        await().until(() -> m.deployed().isEmpty());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(Fixture.alive(pid)).isFalse();
        assertThat(Fixture.alive(child)).isFalse();
        assertThat(took).as("SIGTERM ends it without waiting for the grace").isLessThan(GRACE);
        assertThat(dir).doesNotExist();
        assertThat(f.cgroupNodeDir("memory")).doesNotExist();
    }

    @Test
    void aProgramIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
        ActivationManager m = f.manager();
        ServicePackageActivation a = activation("App1", "x1", f.servicePackage("ignore-term"), List.of());
        m.converge(f.assignment(1, a));
        long pid = await().until(() -> running(m, a.key(), CP), Optional::isPresent).orElseThrow().pid();
        Path childFile = m.activationDir(a.key()).resolve("work/child");
        await().until(() -> Files.exists(childFile) && !Files.readString(childFile).isBlank());
        long child = Long.parseLong(Files.readString(childFile).trim());

        long t0 = System.nanoTime();
        m.converge(f.assignment(2));
        await().until(() -> m.deployed().isEmpty());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(took).isGreaterThanOrEqualTo(GRACE);
        assertThat(Fixture.alive(pid)).isFalse();
        assertThat(Fixture.alive(child)).isFalse();
        assertThat(m.activationDir(a.key())).doesNotExist();
    }
}
