package io.capstan.cli;

import static io.capstan.cli.FakeTransport.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConvergenceTest {

    private final Cli cli = new Cli();
    private final FakeTransport server = cli.transport;

    private static String service(int ready, int placed, boolean converged, String problem) {
        return """
                {"name":"ServiceA","uri":"capstan:/App1/ServiceA","partitions":[
                  {"id":"p1","key":{"kind":"Int64Range","lowKey":0,"highKey":49},"wanted":3,"placed":3,"ready":%d},
                  {"id":"p2","key":{"kind":"Int64Range","lowKey":50,"highKey":99},"wanted":3,"placed":%d,"ready":%d}],
                 "replicas":{"wanted":6,"placed":%d,"ready":%d},"placementProblem":%s,"converged":%s}"""
                .formatted(Math.min(ready, 3), placed - 3, Math.max(0, ready - 3), placed, ready,
                        problem == null ? "null" : "\"" + problem + "\"", converged);
    }

    private static final String[] CREATE = {"service", "create", "App1/ServiceA", "--type", "T", "--stateful",
        "--replicas", "3", "--partitions", "range:0:99:2", "--wait"};

    private static String[] args(String[] base, String... more) {
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void serviceCreateWaitFollowsTheIndexAndPrintsProgressUntilConverged() {
        server.on("POST", "/v1/apps/App1/services", new Transport.Response(201, 10, service(0, 0, false, null)));
        server.on("GET", "/v1/apps/App1/services/ServiceA",
                ok(10, service(0, 3, false, null)),
                ok(12, service(4, 6, false, null)),
                ok(13, service(4, 6, false, null)),
                ok(15, service(6, 6, true, null)));

        Cli.Result r = cli.run(CREATE);

        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).contains("ServiceA: 0/6 replicas ready\nServiceA: 4/6 replicas ready\nServiceA: 6/6 replicas ready\n");
        assertThat(r.err()).containsOnlyOnce("4/6");
        assertThat(r.out()).isEqualTo("created service capstan:/App1/ServiceA (T, stateful, 2 partition(s)): 6/6 replicas ready\n");
        List<FakeTransport.Request> gets = server.requests("GET", "/v1/apps/App1/services/ServiceA");
        assertThat(gets).extracting(FakeTransport.Request::query).containsExactly(
                Map.of(),
                Map.of("index", "10", "wait", "30s"),
                Map.of("index", "12", "wait", "30s"),
                Map.of("index", "13", "wait", "30s"));
        assertThat(gets.get(1).timeout()).isGreaterThan(Duration.ofSeconds(30));
    }

    @Test
    void withJsonOutputTheLastViewIsPrintedVerbatim() {
        String last = service(6, 6, true, null);
        server.on("POST", "/v1/apps/App1/services", new Transport.Response(201, 10, service(0, 0, false, null)));
        server.on("GET", "/v1/apps/App1/services/ServiceA", ok(11, last));
        Cli.Result r = cli.run(args(CREATE, "-o", "json"));
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo(last + "\n");
    }

    @Test
    void aPlacementProblemFailsAtOnce() {
        server.on("POST", "/v1/apps/App1/services", new Transport.Response(201, 10, service(0, 0, false, null)));
        server.on("GET", "/v1/apps/App1/services/ServiceA",
                ok(10, service(0, 0, false, null)),
                ok(11, service(0, 2, false, "partition 0..49 needs 3 nodes, 2 are eligible")));
        Cli.Result r = cli.run(CREATE);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).endsWith("error: cannot place capstan:/App1/ServiceA: partition 0..49 needs 3 nodes, 2 are eligible\n");
        assertThat(r.out()).isEmpty();
        assertThat(server.requests("GET", "/v1/apps/App1/services/ServiceA")).hasSize(2);
    }

    @Test
    void theDeadlineEndsTheWaitWithWhatIsMissing() {
        server.onRequest = req -> {
            String wait = req.query().get("wait");
            if (wait != null) {
                cli.clock.advance(io.capstan.model.Durations.parse(wait)); // the blocking read ran out
            }
        };
        server.on("POST", "/v1/apps/App1/services", new Transport.Response(201, 10, service(0, 0, false, null)));
        server.on("GET", "/v1/apps/App1/services/ServiceA", ok(12, service(4, 5, false, null)));

        Cli.Result r = cli.run(args(CREATE, "--timeout", "45s"));

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).endsWith("error: timed out after 45s waiting for capstan:/App1/ServiceA to converge: "
                + "4/6 replicas ready, 5 placed (partitions not ready: 50..99 1/3)\n");
        assertThat(server.requests("GET", "/v1/apps/App1/services/ServiceA"))
                .extracting(req -> req.query().get("wait"))
                .containsExactly(null, "30s", "15s");
    }

    @Test
    void appCreateWaitsForTheApplicationAndReportsEachService() {
        server.on("POST", "/v1/apps", new Transport.Response(201, 4, "{\"name\":\"App1\",\"services\":[\"A\",\"B\"],\"converged\":false}"));
        server.on("GET", "/v1/apps/App1",
                ok(4, "{\"name\":\"App1\",\"converged\":false}"),
                ok(9, "{\"name\":\"App1\",\"services\":[\"A\",\"B\"],\"replicas\":{\"wanted\":4,\"ready\":4},\"converged\":true}"));
        server.on("GET", "/v1/apps/App1/services",
                ok(4, "{\"items\":[{\"name\":\"A\",\"replicas\":{\"wanted\":3,\"ready\":1}},{\"name\":\"B\",\"replicas\":{\"wanted\":1,\"ready\":0}}]}"),
                ok(9, "{\"items\":[{\"name\":\"A\",\"replicas\":{\"wanted\":3,\"ready\":3}},{\"name\":\"B\",\"replicas\":{\"wanted\":1,\"ready\":1}}]}"));

        Cli.Result r = cli.run("app", "create", "App1", "--type", "T", "--version", "1.0.0", "--wait");

        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).contains("A: 1/3 replicas ready\nB: 0/1 replicas ready\nA: 3/3 replicas ready\nB: 1/1 replicas ready\n");
        assertThat(r.out()).isEqualTo("created application capstan:/App1 (T 1.0.0) with services A, B: 4/4 replicas ready\n");
        assertThat(server.requests("GET", "/v1/apps/App1").get(1).query()).containsEntry("index", "4");
    }

    @Test
    void appCreateWaitFailsWhenAnyServiceCannotBePlaced() {
        server.on("POST", "/v1/apps", new Transport.Response(201, 4, "{\"name\":\"App1\"}"));
        server.on("GET", "/v1/apps/App1", ok(4, "{\"name\":\"App1\",\"converged\":false}"));
        server.on("GET", "/v1/apps/App1/services", ok(4, """
                {"items":[{"name":"A","replicas":{"wanted":3,"ready":3},"converged":true},
                          {"name":"C","replicas":{"wanted":6,"ready":0},"placementProblem":"no node satisfies NodeType == \\"gpu\\""}]}"""));

        Cli.Result r = cli.run("app", "create", "App1", "--type", "T", "--version", "1.0.0", "--wait");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).endsWith("""
                error: cannot place every service of capstan:/App1
                  capstan:/App1/C: no node satisfies NodeType == "gpu"
                """);
    }

    @Test
    void serviceDeleteWaitsUntilNoDeployedPackageListsItsReplicas() {
        server.on("GET", "/v1/apps/App1/services/ServiceA/replicas",
                ok(20, "{\"items\":[{\"id\":1,\"node\":\"node-1\"},{\"id\":2,\"node\":\"node-2\"}]}"));
        server.on("DELETE", "/v1/apps/App1/services/ServiceA", ok(21, "{}"));
        server.on("GET", "/v1/deployed",
                ok(21, """
                        {"items":[{"node":"node-1","application":"App1","servicePackage":"P","replicaIds":[1,5]},
                                  {"node":"node-2","application":"App1","servicePackage":"P","replicaIds":[2]}]}"""),
                ok(23, "{\"items\":[{\"node\":\"node-1\",\"application\":\"App1\",\"servicePackage\":\"P\",\"replicaIds\":[5]}]}"));

        Cli.Result r = cli.run("service", "delete", "capstan:/App1/ServiceA", "--wait");

        assertThat(r.exitCode()).isZero();
        assertThat(server.requests).extracting(FakeTransport.Request::method)
                .containsExactly("GET", "DELETE", "GET", "GET");
        assertThat(server.requests("GET", "/v1/deployed")).extracting(req -> req.query().get("application"))
                .containsOnly("App1");
        assertThat(server.requests("GET", "/v1/deployed").get(1).query()).containsEntry("index", "21");
        assertThat(r.err()).contains("ServiceA: 2 replica(s) still deployed on node-1, node-2\nServiceA: all replicas stopped\n");
        assertThat(r.out()).isEqualTo("deleted service capstan:/App1/ServiceA\n");
    }

    @Test
    void appDeleteWaitsUntilNothingIsDeployedAndTreatsNotFoundAsGone() {
        server.on("DELETE", "/v1/apps/App1", ok(30, "{}"));
        server.on("GET", "/v1/deployed",
                ok(30, "{\"items\":[{\"node\":\"node-1\",\"servicePackage\":\"P\"}]}"),
                ok(31, "{\"items\":[]}"));
        Cli.Result r = cli.run("app", "delete", "App1", "--wait", "-o", "json");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("{}\n");
        assertThat(r.err()).contains("App1: 1 service package(s) still deployed\nApp1: all service packages deactivated\n");

        Cli other = new Cli();
        other.transport.on("DELETE", "/v1/apps/App2", ok(30, "{}"));
        other.transport.on("GET", "/v1/deployed", FakeTransport.error(404, "NOT_FOUND", "no application App2"));
        assertThat(other.run("app", "delete", "App2", "--wait").exitCode()).isZero();
    }

    @Test
    void withoutAnIndexHeaderItPausesBetweenPlainReads() {
        server.on("POST", "/v1/apps/App1/services", new Transport.Response(201, -1, service(0, 0, false, null)));
        server.on("GET", "/v1/apps/App1/services/ServiceA",
                ok(-1, service(0, 0, false, null)),
                ok(-1, service(6, 6, true, null)));
        java.time.Instant start = cli.clock.instant();
        Cli.Result r = cli.run(CREATE);
        assertThat(r.exitCode()).isZero();
        assertThat(server.requests("GET", "/v1/apps/App1/services/ServiceA")).allMatch(req -> req.query().isEmpty());
        assertThat(Duration.between(start, cli.clock.instant())).isEqualTo(Convergence.FALLBACK_PAUSE);
    }
}
