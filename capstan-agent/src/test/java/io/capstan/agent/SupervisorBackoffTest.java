package io.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.agent.cgroup.Cgroups;
import io.capstan.agent.driver.ProcessDriver;
import io.capstan.agent.probe.ProbeContext;
import io.capstan.agent.process.LaunchSpec;
import io.capstan.agent.process.ProcessLauncher;
import io.capstan.agent.process.ProcessStopper;
import io.capstan.model.CapstanJson;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.CodePackageStatus.State;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.ProcessSpec;
import io.capstan.model.manifest.ResourceRequest;
import io.capstan.model.manifest.RestartPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor's restart policy on a clock the test moves: real processes exit, but no delay is waited for, so
 * every deadline is checked to the millisecond.
 */
class SupervisorBackoffTest {

    private static final RestartPolicy POLICY =
            new RestartPolicy(Duration.ofSeconds(10), Duration.ofSeconds(40), Duration.ofSeconds(60), 3);

    @TempDir
    Path tmp;
    final ManualTimers timers = new ManualTimers();
    CodePackageSupervisor supervisor;

    @AfterEach
    void tearDown() {
        if (supervisor != null) {
            supervisor.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void restartsAtOnceThenWaitsTheDoublingDelayCountedFromTheExit() {
        supervisor = supervisor("exit 3");
        Instant t0 = timers.instant();
        supervisor.start();

        // First exit: restarted at once; second exit: backoff of initialDelay.
        CodePackageStatus backoff = await().until(supervisor::status, s -> s.state() == State.Backoff);
        assertThat(backoff.restartCount()).isEqualTo(1);
        assertThat(backoff.consecutiveFailures()).isEqualTo(2);
        assertThat(backoff.lastExitCode()).isEqualTo(3);
        assertThat(backoff.nextRestartAt()).isEqualTo(t0.plusSeconds(10));
        assertThat(supervisor.failedOut()).isFalse();

        timers.advance(Duration.ofMillis(9_999));
        assertThat(supervisor.status().state()).isEqualTo(State.Backoff);
        assertThat(supervisor.status().restartCount()).isEqualTo(1);

        timers.advance(Duration.ofMillis(1));
        CodePackageStatus third = await().until(supervisor::status,
                s -> s.state() == State.Backoff && s.consecutiveFailures() == 3);
        assertThat(third.restartCount()).isEqualTo(2);
        assertThat(third.lastExitAt()).isEqualTo(t0.plusSeconds(10));
        assertThat(third.nextRestartAt()).isEqualTo(t0.plusSeconds(10 + 20));
        assertThat(supervisor.failedOut()).isTrue();

        timers.advance(Duration.ofSeconds(20));
        CodePackageStatus fourth = await().until(supervisor::status,
                s -> s.state() == State.Backoff && s.consecutiveFailures() == 4);
        // Capped at maxDelay.
        assertThat(fourth.nextRestartAt()).isEqualTo(t0.plusSeconds(30 + 40));
    }

    @Test
    void aRunThatLastsResetAfterForgetsTheFailuresAtThatMoment() throws Exception {
        Path marker = tmp.resolve("failed-once");
        supervisor = supervisor("if [ -e '" + marker + "' ]; then exec sleep 60; else : > '" + marker + "'; exit 1; fi");
        supervisor.start();
        CodePackageStatus up = await().until(supervisor::status, s -> s.state() == State.Running && s.restartCount() == 1);
        assertThat(up.consecutiveFailures()).isEqualTo(1);
        long pid = up.pid();

        timers.advance(Duration.ofMillis(59_999));
        assertThat(supervisor.status().consecutiveFailures()).isEqualTo(1);
        timers.advance(Duration.ofMillis(1));
        assertThat(supervisor.status().consecutiveFailures()).isZero();

        supervisor.stop(Duration.ofSeconds(1));
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(supervisor.status().state()).isEqualTo(State.Stopped);
        supervisor = null;
    }

    private CodePackageSupervisor supervisor(String script) {
        ProcessLauncher launcher = new ProcessLauncher();
        ProcessStopper stopper = new ProcessStopper();
        AgentConfig config = AgentConfig.builder("backoff-" + System.nanoTime(), tmp.resolve("data")).build();
        AgentServices services = new AgentServices(config, null, launcher, stopper, Cgroups.none(config.name(), "not under test"),
                null, timers, timers, new ProcessDriver(launcher, stopper), null, null, null, () -> { }, CapstanJson.newMapper(), null, null, new NodeFence());
        CodePackageManifest cp = new CodePackageManifest("Code", "1.0.0", new ProcessSpec("/bin/sh", List.of("-c", script), null, null),
                ResourceRequest.NONE, null, POLICY);
        return new CodePackageSupervisor(cp, new CodePackageSupervisor.Host() {
            @Override
            public LaunchSpec launchSpec(String codePackage) {
                return new LaunchSpec("/bin/sh", List.of("-c", script), Map.of(), tmp, tmp.resolve("out"), tmp.resolve("err"), List.of());
            }

            @Override
            public void persist() {
            }

            @Override
            public String cgroupName() {
                return "backoff";
            }

            @Override
            public ProbeContext probeContext(String codePackage, LaunchSpec launched) {
                throw new AssertionError("no probes here");
            }

            @Override
            public Path stderrLog(String codePackage) {
                return tmp.resolve("err");
            }
        }, services, services.processDriver());
    }
}
