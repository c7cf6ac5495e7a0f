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
}
