package io.capstan.cli;

import static io.capstan.cli.FakeTransport.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EventsTest {

    private static final String FIRST = """
            {"index":44,"items":[
              {"index":43,"at":"2026-11-23T10:00:00Z","kind":"ReplicaReady","entity":"capstan:/App1/ServiceA/p1/7","message":"on node-1"},
              {"index":44,"at":"2026-11-23T10:00:01Z","kind":"NodeDown","entity":"node:/node-2","message":"missed heartbeats"}]}""";

    @Test
    void listingPassesTheFilterAndSinceIndexAndPrintsATable() {
        Cli cli = new Cli();
        cli.transport.on("GET", "/v1/events", ok(44, FIRST));
        Cli.Result r = cli.run("events", "--entity", "capstan:/App1", "--since-index", "42");
        assertThat(r.exitCode()).isZero();
        assertThat(cli.transport.requests.get(0).query())
                .isEqualTo(Map.of("index", "42", "wait", "0s", "entity", "capstan:/App1"));
        assertThat(r.out()).isEqualTo("""
                INDEX  AT                    KIND          ENTITY                       MESSAGE
                43     2026-11-23T10:00:00Z  ReplicaReady  capstan:/App1/ServiceA/p1/7  on node-1
                44     2026-11-23T10:00:01Z  NodeDown      node:/node-2                 missed heartbeats
                """);
    }

    @Test
    void followBlocksOnTheNextIndexEachTime() {
        Cli cli = new Cli();
        cli.transport.on("GET", "/v1/events",
                ok(44, FIRST),
                ok(44, "{\"index\":44,\"items\":[]}"),
                ok(45, "{\"index\":45,\"items\":[{\"index\":45,\"kind\":\"ReplicaDown\",\"entity\":\"x\",\"message\":\"m\"}]}"));
        CommandLine cl = cli.commandLine();
        java.io.StringWriter out = new java.io.StringWriter();
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(new java.io.StringWriter(), true));
        CommandLine.ParseResult parsed = cl.parseArgs("events", "--follow", "-o", "json");
        EventsCommand events = (EventsCommand) parsed.subcommand().commandSpec().userObject();
        events.maxReads = 3;
        assertThat(cl.getExecutionStrategy().execute(parsed)).isEqualTo(0);

        assertThat(cli.transport.requests).extracting(req -> req.query().get("index") + "/" + req.query().get("wait"))
                .containsExactly("0/30s", "44/30s", "44/30s");
        assertThat(out.toString()).isEqualTo(FIRST + "\n"
                + "{\"index\":45,\"items\":[{\"index\":45,\"kind\":\"ReplicaDown\",\"entity\":\"x\",\"message\":\"m\"}]}\n");
    }
}
