package io.capstan.agent;

import static io.capstan.agent.Fixture.CP;
import static io.capstan.agent.Fixture.activation;
import static io.capstan.agent.Fixture.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.capstan.agent.image.TestImages;
import io.capstan.agent.process.Executables;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.ContainerSpec;
import io.capstan.model.manifest.EndpointManifest;
import io.capstan.model.manifest.ResourceRequest;
import io.capstan.model.wire.ServicePackageActivation;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's docker-registry on loopback with token authentication (Bearer): a small token service in the test signs
 * the registry's JWTs for a user and password. The node logs in with the credentials from its registry credentials
 * file and pulls; without credentials it says what is missing.
 */
class RegistryAuthTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "capstan";
    private static final String PASSWORD = "s3cret";

    @TempDir
    Path tmp;
    Process registry;
    HttpServer tokens;
    final List<String> tokenRequests = new CopyOnWriteArrayList<>();
    int port;
    Fixture f;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Executables.find("docker-registry").isPresent() && Executables.find("skopeo").isPresent()
                && Executables.find("runc").isPresent() && Executables.find("openssl").isPresent()
                && Files.isExecutable(TestImages.BUSYBOX), "needs docker-registry, skopeo, runc, openssl and busybox-static");
        assumeTrue("root".equals(System.getProperty("user.name")), "containers need root");
        Process cert = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                tmp.resolve("key.pem").toString(), "-out", tmp.resolve("cert.pem").toString(), "-subj", "/CN=capstan-test",
                "-days", "1").redirectErrorStream(true).start();
        String certOut = new String(cert.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cert.waitFor()).as(certOut).isZero();
        startTokenService();
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(tmp.resolve("registry.yml"), "version: 0.1\nlog: {level: warn}\n"
                + "storage: {filesystem: {rootdirectory: " + tmp.resolve("registry") + "}}\n"
                + "http: {addr: 127.0.0.1:" + port + "}\n"
                + "auth: {token: {realm: \"http://127.0.0.1:" + tokens.getAddress().getPort() + "/token\", service: capstan-registry,"
                + " issuer: capstan-test, rootcertbundle: " + tmp.resolve("cert.pem") + "}}\n");
        registry = new ProcessBuilder("docker-registry", "serve", tmp.resolve("registry.yml").toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("registry.log").toFile()).start();
        await().until(() -> {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        Path layout = tmp.resolve("layout");
        TestImages.writeLayout(layout, List.of(TestImages.busyboxLayer()), List.of("/bin/sh", "-c",
                "exec httpd -f -p 127.0.0.1:$CAPSTAN_ENDPOINT_WEB_PORT -h /www"));
        Process push = new ProcessBuilder("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", USER + ":" + PASSWORD,
                "oci:" + layout + ":latest", "docker://127.0.0.1:" + port + "/team/web:1.4").redirectErrorStream(true).start();
        String out = new String(push.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(push.waitFor()).as(out + "\n" + Files.readString(tmp.resolve("registry.log"))).isZero();
        tokenRequests.clear();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (f != null) {
            f.close();
        }
        if (registry != null) {
            registry.destroyForcibly().onExit().join();
        }
        if (tokens != null) {
            tokens.stop(0);
        }
    }

    @Test
    void aNodeLogsInAtTheTokenServiceWithItsCredentialsAndPulls() throws Exception {
        Path credentials = tmp.resolve("registries.yaml");
        Files.writeString(credentials, "\"127.0.0.1:" + port + "\": {username: " + USER + ", password: " + PASSWORD + "}\n");
        f = new Fixture(tmp.resolve("node"), b -> b.stopGrace(Duration.ofMillis(500)).registryCredentials(credentials));
        ActivationManager m = f.manager();
        ServicePackageActivation a = activation("App1", "", servicePackage(), List.of());
        m.converge(f.assignment(1, a));
        await().atMost(Duration.ofSeconds(30)).until(() -> running(m, a.key(), CP), Optional::isPresent);
        int p = Fixture.find(m, a.key()).orElseThrow().endpoints().get("web");
        await().until(() -> ContainerTest.get(p), body -> "hello from a container\n".equals(body));
        assertThat(tokenRequests).isNotEmpty().allSatisfy(r -> assertThat(r)
                .contains("scope=repository:team/web:pull").contains("service=capstan-registry").contains("user=" + USER));
        m.converge(f.assignment(2));
        await().until(() -> m.deployed().isEmpty());
    }

    @Test
    void withoutCredentialsTheActivationSaysWhatIsMissing() throws Exception {
        f = new Fixture(tmp.resolve("node"), b -> b.stopGrace(Duration.ofMillis(500)));
        ActivationManager m = f.manager();
        ServicePackageActivation a = activation("App1", "", servicePackage(), List.of());
        m.converge(f.assignment(1, a));
        DeployedServicePackage d = await().atMost(Duration.ofSeconds(20)).until(() -> Fixture.find(m, a.key()),
                o -> o.filter(x -> x.state() == DeployedServicePackage.ActivationState.Failing).isPresent()).orElseThrow();
        assertThat(d.codePackages().getFirst().stderrTail()).contains("the token service http://127.0.0.1:"
                + tokens.getAddress().getPort() + "/token of registry 127.0.0.1:" + port + " answered 401")
                .contains("the node has no credentials for 127.0.0.1:" + port);
        m.converge(f.assignment(2));
        await().until(() -> m.deployed().isEmpty());
    }

    private io.capstan.model.manifest.ServicePackageManifest servicePackage() {
        CodePackageManifest cp = new CodePackageManifest(CP, "1.0.0",
                new ContainerSpec("127.0.0.1:" + port + "/team/web:1.4", List.of(), null), ResourceRequest.NONE, null,
                Fixture.FAST_RESTARTS);
        return f.servicePackage("1.0.0", List.of(cp), List.of(new EndpointManifest("web", "http", null)));
    }

    /**
     * The registry's token service (distribution's token spec): Basic user and password in, a JWT signed with the
     * key whose certificate the registry trusts out, granting what the scope asks for.
     */
    private void startTokenService() throws Exception {
        String keyPem = Files.readString(tmp.resolve("key.pem"));
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder()
                .decode(keyPem.replaceAll("-----[A-Z ]+-----", ""))));
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(tmp.resolve("cert.pem"))));
        tokens = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        tokens.createContext("/token", exchange -> {
            String query = URLDecoder.decode(exchange.getRequestURI().getRawQuery() == null ? ""
                    : exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String user = null;
            if (auth != null && auth.startsWith("Basic ")) {
                String[] up = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8).split(":", 2);
                if (up.length == 2 && up[0].equals(USER) && up[1].equals(PASSWORD)) {
                    user = up[0];
                }
            }
            tokenRequests.add(query + " user=" + user);
            if (user == null) {
                exchange.sendResponseHeaders(401, -1);
                exchange.close();
                return;
            }
            List<Map<String, Object>> access = new ArrayList<>();
            for (String part : query.split("&")) {
                if (part.startsWith("scope=")) {
                    String[] scope = part.substring(6).split(":");
                    access.add(Map.of("type", scope[0], "name", scope[1], "actions", List.of(scope[2].split(","))));
                }
            }
            try {
                long now = Instant.now().getEpochSecond();
                String header = b64(JSON.writeValueAsBytes(Map.of("alg", "RS256", "typ", "JWT",
                        "x5c", List.of(Base64.getEncoder().encodeToString(certificate.getEncoded())))));
                String claims = b64(JSON.writeValueAsBytes(Map.of("iss", "capstan-test", "sub", user,
                        "aud", "capstan-registry", "exp", now + 300, "nbf", now - 10, "iat", now,
                        "jti", UUID.randomUUID().toString(), "access", access)));
                Signature rs256 = Signature.getInstance("SHA256withRSA");
                rs256.initSign(key);
                rs256.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
                String jwt = header + "." + claims + "." + b64(rs256.sign());
                byte[] body = JSON.writeValueAsBytes(Map.of("token", jwt, "expires_in", 300));
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } catch (Exception e) {
                exchange.sendResponseHeaders(500, -1);
            }
            exchange.close();
        });
        tokens.start();
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
