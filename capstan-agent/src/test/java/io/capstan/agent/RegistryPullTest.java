package io.capstan.agent;

import static io.capstan.agent.Fixture.CP;
import static io.capstan.agent.Fixture.activation;
import static io.capstan.agent.Fixture.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capstan.agent.image.TestImages;
import io.capstan.agent.process.Executables;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.ContainerSpec;
import io.capstan.model.manifest.EndpointManifest;
import io.capstan.model.manifest.ResourceRequest;
import io.capstan.model.wire.ServicePackageActivation;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An image pushed by skopeo to Debian's docker-registry on loopback, pulled by reference once for two activations. */
class RegistryPullTest {

    @TempDir
    Path tmp;
    Fixture f;
    Process registry;
    Path accessLog;
    int port;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Executables.find("docker-registry").isPresent() && Executables.find("skopeo").isPresent()
                && Executables.find("runc").isPresent() && Files.isExecutable(TestImages.BUSYBOX),
                "needs docker-registry, skopeo, runc and busybox-static (.ci/run installs them)");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = tmp.resolve("registry.yml");
        Files.writeString(config, "version: 0.1\nlog: {level: warn, accesslog: {disabled: false}}\n"
                + "storage: {filesystem: {rootdirectory: " + tmp.resolve("registry") + "}}\n"
                + "http: {addr: 127.0.0.1:" + port + "}\n");
        accessLog = tmp.resolve("registry.log");
        registry = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(accessLog.toFile()).start();
        await().until(() -> {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        f = new Fixture(tmp.resolve("node"), b -> b.stopGrace(Duration.ofMillis(500)));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (f != null) {
            f.close();
        }
        if (registry != null) {
            registry.destroyForcibly().onExit().join();
        }
    }

    @Test
    void twoActivationsOfAnImageByReferencePullItOnce() throws Exception {
        Path layout = tmp.resolve("layout");
        TestImages.writeLayout(layout, List.of(TestImages.busyboxLayer()), List.of("/bin/sh", "-c",
                "exec httpd -f -p 127.0.0.1:$CAPSTAN_ENDPOINT_WEB_PORT -h /www"));
        Process push = new ProcessBuilder("skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":latest",
                "docker://127.0.0.1:" + port + "/team/web:1.4").redirectErrorStream(true).start();
        String out = new String(push.getInputStream().readAllBytes());
        assertThat(push.waitFor()).as(out).isZero();

        ActivationManager m = f.manager();
        CodePackageManifest cp = new CodePackageManifest(CP, "1.0.0",
                new ContainerSpec("127.0.0.1:" + port + "/team/web:1.4", List.of(), null), ResourceRequest.NONE, null,
                Fixture.FAST_RESTARTS);
        var sp = f.servicePackage("1.0.0", List.of(cp), List.of(new EndpointManifest("web", "http", null)));
        ServicePackageActivation a = activation("App1", "a1", sp, List.of());
        ServicePackageActivation b = activation("App1", "a2", sp, List.of());
        m.converge(f.assignment(1, a, b));
        for (ServicePackageActivation x : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> running(m, x.key(), CP), Optional::isPresent);
            int p = Fixture.find(m, x.key()).orElseThrow().endpoints().get("web");
            await().until(() -> ContainerTest.get(p), body -> "hello from a container\n".equals(body));
        }
        // One image of two blobs (config, layer): each is fetched once, whatever the two activations did.
        String log = Files.readString(accessLog);
        long layerGets = log.lines().filter(l -> l.contains("\"GET /v2/team/web/blobs/sha256:") && l.contains("\" 200 ")).count();
        assertThat(layerGets).as("config and layer blobs fetched once each:\n" + log).isEqualTo(2);

        m.converge(f.assignment(2));
        await().until(() -> m.deployed().isEmpty());
    }
}
