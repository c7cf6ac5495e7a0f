package io.capstan.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.capstan.agent.process.ProcStat;
import io.capstan.agent.process.ProcessLauncher;
import io.capstan.agent.process.ProcessStopper;
import io.capstan.model.cluster.ProbeStatus.Type;
import io.capstan.model.manifest.ProbeSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Single checks of each kind against in-JVM servers and real commands. */
class ProbeCheckerTest {

    private static final Duration SHORT = Duration.ofMillis(300);

    @TempDir
    Path tmp;
    private final ProbeChecker checker = new ProbeChecker(new ProcessLauncher(), new ProcessStopper());
    private HttpServer http;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/healthz", x -> {
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        http.createContext("/sick", x -> {
            x.sendResponseHeaders(503, -1);
            x.close();
        });
        http.createContext("/moved", x -> {
            x.getResponseHeaders().add("Location", "/healthz");
            x.sendResponseHeaders(302, -1);
            x.close();
        });
        http.start();
    }

    @AfterEach
    void stop() throws Exception {
        http.stop(0);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private ProbeContext context(Map<String, Integer> ports) throws IOException {
        Path cp = Files.createDirectories(tmp.resolve("cp"));
        Path work = Files.createDirectories(tmp.resolve("cp/data"));
        Path log = Files.createDirectories(tmp.resolve("log"));
        return new ProbeContext("Code", ports, Map.of("PROBE_VAR", "yes"), work, cp, log, List.of());
    }

    private ProbeContext web() throws IOException {
        return context(Map.of("web", http.getAddress().getPort()));
    }

    private static ProbeSpec httpGet(String path, Integer expected) {
        return new ProbeSpec(ProbeSpec.Kind.http, "web", path, expected, null, null, null, SHORT, 0, 0);
    }

    private static ProbeSpec exec(String... command) {
        return new ProbeSpec(ProbeSpec.Kind.exec, null, null, null, List.of(command), null, null, SHORT, 0, 0);
    }

    private int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void httpPassesOn2xxAnd3xxUnlessAStatusIsExpected() throws Exception {
        assertThat(checker.check(httpGet("/healthz", null), Type.Liveness, web()))
                .isEqualTo(new ProbeResult(true, "HTTP 200 from GET /healthz"));
        assertThat(checker.check(httpGet("/moved", null), Type.Liveness, web()))
                .isEqualTo(new ProbeResult(true, "HTTP 302 from GET /moved"));
        assertThat(checker.check(httpGet("/sick", null), Type.Liveness, web()))
                .isEqualTo(new ProbeResult(false, "HTTP 503 from GET /sick"));
        assertThat(checker.check(httpGet("/sick", 503), Type.Liveness, web()))
                .isEqualTo(new ProbeResult(true, "HTTP 503 from GET /sick"));
        assertThat(checker.check(httpGet("/healthz", 204), Type.Liveness, web()))
                .isEqualTo(new ProbeResult(false, "HTTP 200 from GET /healthz (expected 204)"));
    }

    @Test
    void httpFailuresSayWhatHappened() throws Exception {
        int refused = closedPort();
        assertThat(checker.check(httpGet("/healthz", null), Type.Readiness, context(Map.of("web", refused))))
                .isEqualTo(new ProbeResult(false, "connection refused on port " + refused));
        assertThat(checker.check(httpGet("/healthz", null), Type.Readiness, context(Map.of())))
                .isEqualTo(new ProbeResult(false, "endpoint web has no port on this node"));

        // A server that accepts and never answers.
        ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        toClose.add(silent);
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Socket s = silent.accept();
                    toClose.add(s);
                }
            } catch (IOException e) {
                // closed
            }
        });
        long t0 = System.nanoTime();
        assertThat(checker.check(httpGet("/healthz", null), Type.Readiness, context(Map.of("web", silent.getLocalPort()))))
                .isEqualTo(new ProbeResult(false, "timed out after 300ms on GET /healthz"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void tcpPassesWhenSomethingListens() throws Exception {
        ProbeSpec tcp = new ProbeSpec(ProbeSpec.Kind.tcp, "web", null, null, null, null, null, SHORT, 0, 0);
        int port = http.getAddress().getPort();
        assertThat(checker.check(tcp, Type.Liveness, web())).isEqualTo(new ProbeResult(true, "connected to port " + port));
        int refused = closedPort();
        assertThat(checker.check(tcp, Type.Liveness, context(Map.of("web", refused))))
                .isEqualTo(new ProbeResult(false, "connection refused on port " + refused));
    }

    @Test
    void execRunsLikeTheCodePackageAndQuotesItsOutput() throws Exception {
        ProbeContext c = web();
        assertThat(checker.check(exec("/bin/sh", "-c", "test \"$PROBE_VAR\" = yes && pwd > pwd.txt"), Type.Readiness, c))
                .isEqualTo(new ProbeResult(true, "exit code 0"));
        assertThat(c.workingDir().resolve("pwd.txt")).content().isEqualToIgnoringNewLines(c.workingDir().toString());

        assertThat(checker.check(exec("/bin/sh", "-c", "echo not ready yet; echo more; exit 3"), Type.Readiness, c))
                .isEqualTo(new ProbeResult(false, "exit code 3: not ready yet"));
        assertThat(c.outputDir().resolve("Code.readiness-probe.log")).content().contains("more");

        // A relative command lives in the code package folder, as the code package's own command does.
        Path script = c.codePackageDir().resolve("ready.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$(pwd)\" >&2\nexit 1\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(checker.check(exec("./ready.sh"), Type.Liveness, c))
                .isEqualTo(new ProbeResult(false, "exit code 1: " + c.workingDir()));

        ProbeResult missing = checker.check(exec("./missing.sh"), Type.Liveness, c);
        assertThat(missing.passed()).isFalse();
        assertThat(missing.message()).startsWith("exit code ").contains("missing.sh");
    }

    @Test
    void anExecCheckThatTimesOutIsKilledWithItsWholeGroup() throws Exception {
        ProbeContext c = web();
        Path childFile = c.workingDir().resolve("child");
        ProbeSpec slow = new ProbeSpec(ProbeSpec.Kind.exec, null, null, null,
                List.of("/bin/sh", "-c", "sleep 1000 & echo $! > child; wait"), null, null, Duration.ofSeconds(1), 0, 0);
        assertThat(checker.check(slow, Type.Liveness, c)).isEqualTo(new ProbeResult(false, "timed out after 1s running /bin/sh"));
        long child = Long.parseLong(Files.readString(childFile).trim());
        await().until(() -> ProcStat.read(child).map(s -> !s.alive()).orElse(true));
    }
}
