package io.capstan.cli;

import static io.capstan.cli.FakeTransport.ok;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResolveCommandTest {

    private final Cli cli = new Cli();
    private static final String ANSWER = "{\"service\":\"Shop/Cart\",\"kind\":\"stateful\",\"version\":42,\"partitions\":["
            + "{\"id\":\"6a1e0000-0000-0000-0000-000000000001\",\"key\":{\"kind\":\"Int64Range\",\"lowKey\":0,\"highKey\":49},"
            + "\"replicas\":[{\"replicaId\":7,\"node\":\"node-2\",\"role\":\"Primary\",\"endpoints\":{\"api\":\"127.0.0.1:20001\"}}]}]}";

    @Test
    void printsOneRowPerEndpointOrTheJsonAndPassesTheKey() {
        cli.transport.on("GET", "/v1/apps/Shop/services/Cart/resolve", ok(42, ANSWER));
        Cli.Result table = cli.run("resolve", "Shop/Cart", "--partition-key", "7");
        assertThat(table.exitCode()).isZero();
        assertThat(table.out()).contains("PARTITION").contains("0..49").contains("Primary").contains("node-2")
                .contains("api").contains("127.0.0.1:20001");
        assertThat(cli.run("resolve", "Shop/Cart", "--partition-key", "7", "-o", "json").out()).isEqualTo(ANSWER + "\n");
        assertThat(cli.transport.requests("GET", "/v1/apps/Shop/services/Cart/resolve"))
                .allSatisfy(r -> assertThat(r.query()).containsEntry("partitionKey", "7"));
    }
}
