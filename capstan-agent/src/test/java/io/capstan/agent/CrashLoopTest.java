package io.capstan.agent;

import static io.capstan.agent.Fixture.CP;
import static io.capstan.agent.Fixture.activation;
import static io.capstan.agent.Fixture.replica;
import static io.capstan.agent.Fixture.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.DeployedServicePackage.ActivationState;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.CodePackageProbes;
import io.capstan.model.manifest.RestartPolicy;
import io.capstan.model.wire.ServicePackageActivation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;

/** The restart policy from the manifest: backoff, failure counts, stderr tails, and Failed after too many. */
class CrashLoopTest extends FixtureTest {

    /** Prints 30 lines of noise and a last word to stderr, then sleeps until killed. */
    private static final String NOISY = """
            #!/bin/sh
            echo $$ >> "$WITNESS/pids"
            i=0
            while [ $i -lt 30 ]; do echo "noise $i" >&2; i=$((i+1)); done
            echo "fatal: cannot open /nonexistent/db (pid $$)" >&2
            exec sleep 1000
            """;

    private static ConditionFactory slowly() {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10));
    }

    private ServicePackageActivation activate(ActivationManager m, RestartPolicy policy) throws Exception {
        CodePackageManifest cp = f.codePackage(f.script("noisy.sh", NOISY, null), CodePackageProbes.NONE, policy);
        ServicePackageActivation a = activation("App1", "", f.servicePackage("1.0.0", List.of(cp), List.of()),
                List.of(replica(1, "ServiceA", UUID.randomUUID())));
        m.converge(f.assignment(1, a));
        return a;
    }

    /** The running process once it wrote its last word to stderr (so killing it loses nothing). */
    private CodePackageStatus runningAndTalked(ActivationManager m, ServicePackageActivation a, Long notPid) {
        Path err = m.activationDir(a.key()).resolve("log").resolve(CP + ".err");
        return slowly().until(() -> status(m, a.key(), CP).filter(c -> c.state() == CodePackageStatus.State.Running
                && c.pid() != null && !c.pid().equals(notPid)
                && read(err).contains("(pid " + c.pid() + ")")), Optional::isPresent).orElseThrow();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void repeatedCrashesBackOffLongerUntilTheActivationReportsFailed() throws Exception {
        RestartPolicy policy = new RestartPolicy(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(60), 4);
        ActivationManager m = f.manager();
        ServicePackageActivation a = activate(m, policy);

        CodePackageStatus current = runningAndTalked(m, a, null);
        Instant previousExit = Instant.EPOCH;
        for (int failure = 1; failure <= 4; failure++) {
            long pid = current.pid();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            Duration expected = policy.delayAfter(failure);
            Instant exitBefore = previousExit;
            if (!expected.isZero()) {
                // Backing off: what it says it will wait is the policy's delay.
                DeployedServicePackage d = slowly().until(() -> Fixture.find(m, a.key()).filter(x -> {
                    CodePackageStatus c = x.codePackages().getFirst();
                    return c.state() == CodePackageStatus.State.Backoff && c.lastExitAt().isAfter(exitBefore);
                }), Optional::isPresent).orElseThrow();
                CodePackageStatus c = d.codePackages().getFirst();
                assertThat(Duration.between(c.lastExitAt(), c.nextRestartAt())).as("delay after failure %d", failure)
                        .isEqualTo(expected);
                assertThat(c.consecutiveFailures()).isEqualTo(failure);
                assertThat(c.lastExitCode()).isEqualTo(137);
                assertThat(c.pid()).isNull();
                assertThat(c.ready()).isFalse();
                assertThat(d.state()).isEqualTo(failure < 4 ? ActivationState.Failing : ActivationState.Failed);
                String tail = c.stderrTail();
                assertThat(tail).endsWith("fatal: cannot open /nonexistent/db (pid " + pid + ")");
                assertThat(tail.lines()).hasSize(20).first().isEqualTo("noise 11");
            }
            current = runningAndTalked(m, a, pid);
            assertThat(Duration.between(current.lastExitAt(), current.startedAt())).isGreaterThanOrEqualTo(expected);
            assertThat(current.restartCount()).isEqualTo(failure);
            assertThat(current.consecutiveFailures()).isEqualTo(failure);
            assertThat(current.stderrTail()).contains("(pid " + pid + ")");
            previousExit = current.lastExitAt();
        }
        // Past moveAfterFailures it keeps running (and restarting) but says Failed, so the servers move its replicas.
        DeployedServicePackage d = Fixture.find(m, a.key()).orElseThrow();
        assertThat(d.state()).isEqualTo(ActivationState.Failed);
        assertThat(d.codePackages().getFirst().state()).isEqualTo(CodePackageStatus.State.Running);
        assertThat(d.replicaIds()).containsExactly(1L);
    }

    @Test
    void aRunAsLongAsResetAfterForgetsEarlierFailures() throws Exception {
        RestartPolicy policy = new RestartPolicy(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofMillis(2500), 2);
        ActivationManager m = f.manager();
        ServicePackageActivation a = activate(m, policy);

        Long pid = runningAndTalked(m, a, null).pid();
        for (int i = 0; i < 2; i++) {
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            pid = runningAndTalked(m, a, pid).pid();
        }
        assertThat(Fixture.find(m, a.key()).orElseThrow().state()).isEqualTo(ActivationState.Failed);

        // Up for resetAfter: the failures are forgotten while it runs, and the activation is Active again.
        Long stablePid = pid;
        DeployedServicePackage d = slowly().until(() -> Fixture.find(m, a.key())
                .filter(x -> x.state() == ActivationState.Active), Optional::isPresent).orElseThrow();
        CodePackageStatus c = d.codePackages().getFirst();
        assertThat(c.pid()).isEqualTo(stablePid);
        assertThat(c.consecutiveFailures()).isZero();
        assertThat(c.restartCount()).isEqualTo(2);
        assertThat(Duration.between(c.startedAt(), Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(2500));
    }
}
