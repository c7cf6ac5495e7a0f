package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server reachable from the network does not start without TLS unless told --insecure (issue 12, safe by default). */
class NetworkExposureTest {

    @TempDir
    Path dir;

    @Test
    void loopbackIsSafeAndEverythingElseIsExposed() {
        assertThat(NetworkExposure.exposed(List.of("127.0.0.1", "localhost", "::1"))).isEmpty();
        assertThat(NetworkExposure.exposed(List.of("0.0.0.0", "10.1.2.3", "127.0.0.1"))).containsExactly("0.0.0.0", "10.1.2.3");
        assertThat(NetworkExposure.refusal(List.of("0.0.0.0"), false, true)).contains("0.0.0.0", "without TLS", "--insecure")
                .doesNotContain("without --acl");
        assertThat(NetworkExposure.refusal(List.of("0.0.0.0"), true, false)).isNull();
        assertThat(NetworkExposure.warning(List.of("0.0.0.0"), false)).contains("no --acl");
    }

    @Test
    void aServerOnAllInterfacesRefusesToStartAndChangesNothing() throws Exception {
        Path log = dir.resolve("server.log");
        Path data = dir.resolve("data");
        Process p = CapstanProcess.start(log, "server", "--api-host", "0.0.0.0", "--api-port", Integer.toString(TestCluster.freePort()),
                "--raft-address", "127.0.0.1:" + TestCluster.freePort(), "--data", data.toString());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(log)).contains("reachable from the network", "--insecure", "127.0.0.1");
        assertThat(data).doesNotExist();
    }
}
