package io.capstan.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.server.TestApiClient.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What leaves the cluster leaves the state: removed nodes and the packages of unregistered types. */
class BoundedGrowthTest {

    private static final String MANIFEST = TestPackages.statelessManifest("GoneType", 0.1);

    @Test
    void aNodeThatLeftIsRemovedAndAnUnusedPackageIsDeleted(@TempDir Path dir) throws Exception {
        try (CapstanServer server = new CapstanServer(ServerConfig.single("s1", "127.0.0.1:" + TestApiClient.freePort(), 0,
                dir.resolve("server")).withNodeDownAfter(Duration.ofHours(1))).start()) {
            TestApiClient api = new TestApiClient(server::apiUrl);
            await().atMost(Duration.ofSeconds(20)).until(() -> server.store().isLeader());
            assertThat(api.post("/v1/nodes", Map.of("name", "old", "address", "127.0.0.1", "faultDomain", "fd:/r1",
                    "upgradeDomain", "UD0")).status()).isEqualTo(200);

            Reply up = delete(api, "/v1/nodes/old");
            assertThat(up.status()).isEqualTo(409);
            assertThat(up.message()).contains("--intent remove");
            assertThat(api.post("/v1/nodes/old/disable", Map.of("intent", "remove")).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/nodes/old").body().path("status").asText()
                    .equals("Disabled"));
            assertThat(delete(api, "/v1/nodes/old").status()).isEqualTo(200);
            assertThat(api.get("/v1/nodes/old").status()).isEqualTo(404);

            Reply registered = api.registerPackage(TestPackages.webPackage(dir, MANIFEST));
            String digest = registered.body().path("packageDigest").asText();
            assertThat(dir.resolve("server/packages/" + digest + ".tar.gz")).exists();
            assertThat(delete(api, "/v1/apptypes/GoneType/1.0.0").status()).isEqualTo(200);
            assertThat(api.get("/v1/packages/" + digest).status()).isEqualTo(404);
            assertThat(dir.resolve("server/packages").toFile().list()).noneMatch(f -> f.startsWith(digest));
        }
    }

    private static Reply delete(TestApiClient api, String path) {
        return api.send(HttpRequest.newBuilder(URI.create(api.base() + path)).DELETE().build());
    }
}
