package io.capstan.agent;

import static io.capstan.agent.Fixture.CP;
import static io.capstan.agent.Fixture.activation;
import static io.capstan.agent.Fixture.replica;
import static io.capstan.agent.Fixture.running;
import static io.capstan.agent.Fixture.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.agent.probe.ProbeState;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage.ActivationState;
import io.capstan.model.cluster.ProbeStatus;
import io.capstan.model.cluster.ProbeStatus.Type;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.CodePackageProbes;
import io.capstan.model.manifest.EndpointManifest;
import io.capstan.model.manifest.ProbeSpec;
import io.capstan.model.manifest.ProcessSpec;
import io.capstan.model.wire.ServicePackageActivation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assumptions;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;

/** Startup, liveness and readiness probes of each kind against real processes (periods of 100-200 ms). */
class ProbeTest extends FixtureTest {

    /**
     * A web server on CAPSTAN_ENDPOINT_WEB_PORT that only starts listening once work/go exists (when started with
     * "wait"), answers 503 while work/unready exists, and 200 otherwise.
     */
    private static final String SERVER = """
            import http.server, os, sys, time
            work = os.environ["CAPSTAN_WORK_DIR"]
            with open(os.path.join(os.environ["WITNESS"], "pids"), "a") as f:
                f.write("%d\\n" % os.getpid())
            if sys.argv[1:] == ["wait"]:
                while not os.path.exists(os.path.join(work, "go")):
                    time.sleep(0.05)
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    code = 503 if os.path.exists(os.path.join(work, "unready")) else 200
                    self.send_response(code)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                def log_message(self, *args):
                    pass
            http.server.HTTPServer(("127.0.0.1", int(os.environ["CAPSTAN_ENDPOINT_WEB_PORT"])), Handler).serve_forever()
            """;

    /** Marks the process alive in work/alive, then sleeps. */
    private static final String SLEEPER = """
            #!/bin/sh
            echo $$ >> "$WITNESS/pids"
            touch "$CAPSTAN_WORK_DIR/alive"
            exec sleep 1000
            """;

    private static final Duration P100 = Duration.ofMillis(100);

    private static ConditionFactory slowly() {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20));
    }

    private static ProbeSpec exec(Duration period, int failureThreshold, String... command) {
        return new ProbeSpec(ProbeSpec.Kind.exec, null, null, null, List.of(command), null, period, Duration.ofSeconds(5),
                failureThreshold, 1);
    }

    private ServicePackageActivation activate(ActivationManager m, ProcessSpec program, CodePackageProbes probes) {
        CodePackageManifest cp = f.codePackage(program, probes, Fixture.FAST_RESTARTS);
        ServicePackageActivation a = activation("App1", "", f.servicePackage("1.0.0", List.of(cp),
                List.of(new EndpointManifest("web", "http", null))), List.of(replica(1, "ServiceA", UUID.randomUUID())));
        m.converge(f.assignment(1, a));
        return a;
    }

    private ProcessSpec server(String... args) throws Exception {
        String python = Fixture.python().orElse(null);
        Assumptions.assumeThat(python).as("python3 for the test web server").isNotNull();
        ProcessSpec s = f.script("server.py", SERVER, python);
        return new ProcessSpec(s.command(), List.of("server.py", args.length == 0 ? "now" : args[0]), s.env(), null);
    }

    private static ProbeStatus probe(CodePackageStatus c, Type type) {
        return c.probes().stream().filter(p -> p.type() == type).findFirst().orElseThrow();
    }

    private Path work(ActivationManager m, ServicePackageActivation a) {
        return m.activationDir(a.key()).resolve("work");
    }

    @Test
    void withoutProbesReadyMeansRunning() throws Exception {
        ActivationManager m = f.manager();
        ServicePackageActivation a = activation("App1", "", f.servicePackage("run"), List.of());
        m.converge(f.assignment(1, a));
        CodePackageStatus c = await().until(() -> running(m, a.key(), CP), Optional::isPresent).orElseThrow();
        assertThat(c.ready()).isTrue();
        assertThat(c.probes()).isEmpty();
    }

    @Test
    void aFailingLivenessProbeRestartsTheProcessLikeACrash() throws Exception {
        ActivationManager m = f.manager();
        // The initial delay keeps the failure that caused the restart on show for a while after it.
        ProbeSpec liveness = new ProbeSpec(ProbeSpec.Kind.exec, null, null, null,
                List.of("/bin/sh", "-c", "test -e \"$CAPSTAN_WORK_DIR/alive\" || { echo alive is gone; exit 1; }"),
                Duration.ofMillis(1500), P100, Duration.ofSeconds(5), 2, 1);
        ServicePackageActivation a = activate(m, f.script("sleeper.sh", SLEEPER, null), new CodePackageProbes(null, liveness, null));
        CodePackageStatus first = slowly().until(() -> running(m, a.key(), CP)
                .filter(c -> probe(c, Type.Liveness).lastMessage().equals("exit code 0")), Optional::isPresent).orElseThrow();
        assertThat(probe(first, Type.Liveness).passing()).isTrue();
        assertThat(first.ready()).isTrue();

        Files.delete(work(m, a).resolve("alive"));

        CodePackageStatus after = slowly().until(() -> running(m, a.key(), CP).filter(c -> !c.pid().equals(first.pid())),
                Optional::isPresent).orElseThrow();
        assertThat(Fixture.alive(first.pid())).isFalse();
        assertThat(after.restartCount()).isEqualTo(1);
        assertThat(after.lastExitCode()).as("SIGTERM to its group: 128 + 15").isEqualTo(143);
        assertThat(after.consecutiveFailures()).isEqualTo(1);
        assertThat(after.lastExitReason()).isEqualTo("liveness probe failed 2 time(s) in a row: exit code 1: alive is gone");
        ProbeStatus failed = probe(after, Type.Liveness);
        assertThat(failed.passing()).isFalse();
        assertThat(failed.lastMessage()).isEqualTo("exit code 1: alive is gone");

        // The new process recreated the file: its liveness probe passes again.
        CodePackageStatus recovered = slowly().until(() -> status(m, a.key(), CP)
                .filter(c -> probe(c, Type.Liveness).passing()), Optional::isPresent).orElseThrow();
        assertThat(recovered.pid()).isEqualTo(after.pid());
        assertThat(probe(recovered, Type.Liveness).lastMessage()).isEqualTo("exit code 0");
    }

    @Test
    void failingReadinessMakesTheCodePackageUnreadyWhileItKeepsRunning() throws Exception {
        ActivationManager m = f.manager();
        ProbeSpec readiness = new ProbeSpec(ProbeSpec.Kind.http, "web", "/ready", null, null, null, P100,
                Duration.ofSeconds(2), 2, 2);
        ProbeSpec liveness = new ProbeSpec(ProbeSpec.Kind.tcp, "web", null, null, null, null, Duration.ofMillis(200),
                Duration.ofSeconds(2), 3, 1);
        ServicePackageActivation a = activate(m, server(), new CodePackageProbes(null, liveness, readiness));

        CodePackageStatus ready = slowly().until(() -> running(m, a.key(), CP).filter(CodePackageStatus::ready),
                Optional::isPresent).orElseThrow();
        int port = Fixture.find(m, a.key()).orElseThrow().endpoints().get("web");
        assertThat(probe(ready, Type.Readiness)).extracting(ProbeStatus::passing, ProbeStatus::lastMessage)
                .containsExactly(true, "HTTP 200 from GET /ready");
        slowly().until(() -> probe(status(m, a.key(), CP).orElseThrow(), Type.Liveness).lastMessage()
                .equals("connected to port " + port));

        Files.writeString(work(m, a).resolve("unready"), "");
        CodePackageStatus unready = slowly().until(() -> status(m, a.key(), CP).filter(c -> !c.ready()),
                Optional::isPresent).orElseThrow();
        assertThat(unready.pid()).isEqualTo(ready.pid());
        assertThat(unready.state()).isEqualTo(CodePackageStatus.State.Running);
        assertThat(unready.restartCount()).isZero();
        ProbeStatus r = probe(unready, Type.Readiness);
        assertThat(r.passing()).isFalse();
        assertThat(r.lastMessage()).isEqualTo("HTTP 503 from GET /ready");
        assertThat(r.consecutiveFailures()).isGreaterThanOrEqualTo(2);
        assertThat(probe(unready, Type.Liveness).passing()).as("readiness never restarts anything").isTrue();
        assertThat(Fixture.find(m, a.key()).orElseThrow().state()).isEqualTo(ActivationState.Active);

        Files.delete(work(m, a).resolve("unready"));
        CodePackageStatus back = slowly().until(() -> status(m, a.key(), CP).filter(CodePackageStatus::ready),
                Optional::isPresent).orElseThrow();
        assertThat(back.pid()).isEqualTo(ready.pid());
        assertThat(back.restartCount()).isZero();
        assertThat(probe(back, Type.Readiness).lastMessage()).isEqualTo("HTTP 200 from GET /ready");
    }

    @Test
    void livenessAndReadinessWaitForTheStartupProbe() throws Exception {
        ActivationManager m = f.manager();
        ProbeSpec startup = new ProbeSpec(ProbeSpec.Kind.tcp, "web", null, null, null, null, P100, Duration.ofSeconds(2),
                600, 1);
        CodePackageProbes probes = new CodePackageProbes(startup, exec(P100, 1, "true"), exec(P100, 1, "true"));
        ServicePackageActivation a = activate(m, server("wait"), probes);

        // Several startup checks failed: without the gate the others (same period) would have run by now.
        CodePackageStatus starting = slowly().until(() -> status(m, a.key(), CP)
                .filter(c -> probe(c, Type.Startup).consecutiveFailures() >= 3), Optional::isPresent).orElseThrow();
        assertThat(starting.state()).isEqualTo(CodePackageStatus.State.Running);
        assertThat(starting.ready()).isFalse();
        assertThat(probe(starting, Type.Startup).passing()).isFalse();
        assertThat(probe(starting, Type.Startup).lastMessage()).startsWith("connection refused on port ");
        assertThat(probe(starting, Type.Liveness).lastMessage()).isEqualTo(ProbeState.NOT_CHECKED);
        assertThat(probe(starting, Type.Readiness).lastMessage()).isEqualTo(ProbeState.NOT_CHECKED);

        Files.writeString(work(m, a).resolve("go"), "");
        CodePackageStatus started = slowly().until(() -> status(m, a.key(), CP).filter(CodePackageStatus::ready),
                Optional::isPresent).orElseThrow();
        assertThat(started.pid()).isEqualTo(starting.pid());
        assertThat(probe(started, Type.Startup).passing()).isTrue();
        assertThat(probe(started, Type.Startup).lastMessage()).startsWith("connected to port ");
        assertThat(probe(started, Type.Readiness).lastMessage()).isEqualTo("exit code 0");
    }

    @Test
    void aStartupProbeThatNeverPassesRestartsTheProcess() throws Exception {
        ActivationManager m = f.manager();
        ProbeSpec startup = exec(P100, 3, "/bin/sh", "-c", "echo still booting; exit 1");
        ServicePackageActivation a = activate(m, f.script("sleeper.sh", SLEEPER, null),
                new CodePackageProbes(startup, exec(P100, 1, "true"), null));

        CodePackageStatus restarted = slowly().until(() -> status(m, a.key(), CP).filter(c -> c.restartCount() >= 1),
                Optional::isPresent).orElseThrow();
        assertThat(restarted.lastExitCode()).isEqualTo(143);
        assertThat(restarted.ready()).isFalse();
        assertThat(probe(restarted, Type.Liveness).lastMessage()).isEqualTo(ProbeState.NOT_CHECKED);
        slowly().until(() -> probe(status(m, a.key(), CP).orElseThrow(), Type.Startup).lastMessage()
                .equals("exit code 1: still booting"));
    }

    @Test
    void anExecProbeThatHangsIsKilledWithItsChildrenAtItsTimeout() throws Exception {
        ActivationManager m = f.manager();
        ProbeSpec readiness = new ProbeSpec(ProbeSpec.Kind.exec, null, null, null, List.of("/bin/sh", "-c",
                "sleep 1000 & echo $! >> \"$WITNESS/pids\"; echo $! >> \"$CAPSTAN_WORK_DIR/probe-children\"; wait"),
                null, Duration.ofMillis(200), Duration.ofMillis(500), 1, 1);
        ServicePackageActivation a = activate(m, f.script("sleeper.sh", SLEEPER, null), new CodePackageProbes(null, null, readiness));

        CodePackageStatus c = slowly().until(() -> running(m, a.key(), CP)
                .filter(s -> probe(s, Type.Readiness).lastMessage().startsWith("timed out")), Optional::isPresent).orElseThrow();
        assertThat(c.ready()).isFalse();
        assertThat(probe(c, Type.Readiness).lastMessage()).isEqualTo("timed out after 500ms running /bin/sh");
        long child = Long.parseLong(Files.readAllLines(work(m, a).resolve("probe-children")).getFirst().trim());
        slowly().until(() -> !Fixture.alive(child));
        assertThat(status(m, a.key(), CP).orElseThrow().pid()).isEqualTo(c.pid());
    }

    @Test
    void aProcessAdoptedByTheNextAgentIsProbedToo() throws Exception {
        ActivationManager first = f.manager();
        String check = "test -e \"$CAPSTAN_WORK_DIR/alive\"";
        CodePackageProbes probes = new CodePackageProbes(null, exec(P100, 2, "/bin/sh", "-c", check),
                exec(P100, 1, "/bin/sh", "-c", check));
        ServicePackageActivation a = activate(first, f.script("sleeper.sh", SLEEPER, null), probes);
        long pid = slowly().until(() -> running(first, a.key(), CP).filter(CodePackageStatus::ready), Optional::isPresent)
                .orElseThrow().pid();
        first.close();

        ActivationManager second = f.manager();
        CodePackageStatus adopted = slowly().until(() -> status(second, a.key(), CP)
                .filter(c -> probe(c, Type.Readiness).lastMessage().equals("exit code 0") && c.ready()), Optional::isPresent)
                .orElseThrow();
        assertThat(adopted.pid()).isEqualTo(pid);

        Files.delete(work(second, a).resolve("alive"));
        CodePackageStatus restarted = slowly().until(() -> running(second, a.key(), CP).filter(c -> c.pid() != pid),
                Optional::isPresent).orElseThrow();
        assertThat(Fixture.alive(pid)).isFalse();
        assertThat(restarted.restartCount()).isEqualTo(1);
        assertThat(restarted.consecutiveFailures()).isEqualTo(1);
    }

    @Test
    void passingChecksDoNotTriggerReports() throws Exception {
        AtomicInteger changes = new AtomicInteger();
        ActivationManager m = f.manager(changes::incrementAndGet);
        Duration fast = Duration.ofMillis(50);
        ServicePackageActivation a = activate(m, f.script("sleeper.sh", SLEEPER, null),
                new CodePackageProbes(null, exec(fast, 3, "true"), exec(fast, 3, "true")));
        slowly().until(() -> running(m, a.key(), CP).filter(CodePackageStatus::ready), Optional::isPresent);

        int before = changes.get();
        // Some 30 checks pass meanwhile; at most the readiness transition just seen may still be on its way.
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> changes.get() - before <= 1);
        assertThat(probe(status(m, a.key(), CP).orElseThrow(), Type.Readiness).lastMessage()).isEqualTo("exit code 0");
    }
}
