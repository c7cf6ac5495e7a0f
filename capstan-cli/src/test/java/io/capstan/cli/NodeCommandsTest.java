package io.capstan.cli;

import static io.capstan.cli.FakeTransport.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NodeCommandsTest {

    private final Cli cli = new Cli();
    private final FakeTransport server = cli.transport;

    private static String node(String status, int replicas) {
        return "{\"name\":\"node-2\",\"status\":\"" + status + "\",\"replicas\":" + replicas + "}";
    }

    @Test
    void disableWithWaitSendsTheIntentAndFollowsTheDrainUntilDisabled() {
        server.on("POST", "/v1/nodes/node-2/disable", ok(20, node("Disabling", 3)));
        server.on("GET", "/v1/nodes/node-2", ok(20, node("Disabling", 3)), ok(22, node("Disabling", 1)),
                ok(24, node("Disabled", 0)));

        Cli.Result r = cli.run("node", "disable", "node-2", "--intent", "Restart", "--wait");

        assertThat(r.exitCode()).isZero();
        assertThat(new String(server.requests("POST", "/v1/nodes/node-2/disable").get(0).body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"intent\":\"restart\"}");
        assertThat(r.err()).contains("node-2: Disabling, 3 replica(s) left\nnode-2: Disabling, 1 replica(s) left\n"
                + "node-2: Disabled, 0 replica(s) left\n");
        assertThat(r.out()).isEqualTo("node node-2 is Disabled (intent restart, 0 replica(s) on it)\n");
    }

    @Test
    void anUnknownIntentIsAUsageErrorAndSendsNothing() {
        Cli.Result r = cli.run("node", "disable", "node-2", "--intent", "reboot");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--intent must be restart or remove; got 'reboot'");
        assertThat(server.requests("POST", "/v1/nodes/node-2/disable")).isEmpty();
    }

    @Test
    void enablePrintsTheNewStatusOrTheJson() {
        server.on("POST", "/v1/nodes/node-2/enable", ok(30, node("Up", 0)));
        assertThat(cli.run("node", "enable", "node-2").out()).isEqualTo("node node-2 is Up\n");
        assertThat(cli.run("node", "enable", "node-2", "-o", "json").out()).isEqualTo(node("Up", 0) + "\n");
    }

    @Test
    void showPrintsRequestedUsedAndCapacityPerResourceAndEachMeasuredCodePackage() {
        String body = "{\"name\":\"node-1\",\"address\":\"127.0.0.1\",\"faultDomain\":\"fd:/rack1\",\"upgradeDomain\":\"UD1\","
                + "\"status\":\"Up\",\"replicas\":2,\"deployedServicePackages\":1,"
                + "\"resources\":{\"cpu\":{\"requested\":0.5,\"used\":0.123,\"capacity\":2.0},"
                + "\"memoryMiB\":{\"requested\":256.0,\"used\":41.3,\"capacity\":8192.0},"
                + "\"disk\":{\"requested\":10.0,\"used\":null,\"capacity\":100.0}},"
                + "\"measuredAt\":\"2026-12-03T19:00:00Z\",\"usage\":[{\"application\":\"Shop\",\"servicePackage\":\"WebPackage\","
                + "\"activationId\":\"\",\"codePackage\":\"Web\",\"cpu\":0.123,\"memoryMiB\":41.3}]}";
        server.on("GET", "/v1/nodes/node-1", ok(40, body), ok(40, body));

        Cli.Result r = cli.run("node", "show", "node-1");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("Measured:  2026-12-03T19:00:00Z")
                .contains("RESOURCE   REQUESTED  USED   CAPACITY\n")
                .contains("cpu        0.5        0.123  2\n")
                .contains("memoryMiB  256        41.3   8192\n")
                .contains("disk       10         -      100\n")
                .contains("Shop         WebPackage       (shared)    Web           0.123  41.3");
        assertThat(cli.run("node", "show", "node-1", "-o", "json").out()).isEqualTo(body + "\n");
    }
}
