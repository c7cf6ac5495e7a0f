package io.capstan.cli;

import static io.capstan.cli.FakeTransport.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthCommandsTest {

    private static final String SERVICE_HEALTH = """
            {"entity":"service:Shop/Cart","aggregatedHealthState":"Error",
             "reports":[
              {"entity":"service:Shop/Cart","sourceId":"System.PLB","property":"ServiceReplicaUnplacedHealth","healthState":"Warning",
               "effectiveHealthState":"Warning","description":"needs 4 nodes, 3 are eligible","sequenceNumber":40,
               "reportedAt":"2026-11-23T10:00:00Z","removeWhenExpired":false,"expired":false},
              {"entity":"service:Shop/Cart","sourceId":"Watchdog","property":"Latency","healthState":"Ok",
               "effectiveHealthState":"Error","description":"p99 40ms","sequenceNumber":7,"reportedAt":"2026-11-23T09:00:00Z",
               "timeToLive":"5m","expiresAt":"2026-11-23T09:05:00Z","removeWhenExpired":false,"expired":true}],
             "unhealthyEvaluations":[
              {"kind":"Event","healthState":"Error","description":"Watchdog/Latency: expired at 2026-11-23T09:05:00Z","unhealthyEvaluations":[]},
              {"kind":"Partitions","healthState":"Error","description":"Partitions: 1 of 1 (100%) unhealthy, max allowed 0%",
               "unhealthyEvaluations":[
                {"kind":"Partition","healthState":"Error","description":"partition:Shop/Cart/p1","entity":"partition:Shop/Cart/p1",
                 "unhealthyEvaluations":[
                  {"kind":"Replicas","healthState":"Error","description":"Replicas: 1 of 3 (33%) unhealthy, max allowed 0%",
                   "unhealthyEvaluations":[
                    {"kind":"Replica","healthState":"Error","description":"replica:Shop/Cart/p1/2","entity":"replica:Shop/Cart/p1/2",
                     "unhealthyEvaluations":[
                      {"kind":"Event","healthState":"Error","description":"System.RA/State: Down: node N2 is down","unhealthyEvaluations":[]}]}]}]}]}],
             "children":[{"kind":"Partitions","total":1,"ok":0,"warning":0,"error":1}],
             "applicationHealthPolicy":{"considerWarningAsError":false,"maxPercentUnhealthyDeployedApplications":0,
              "maxPercentUnhealthyServices":0,"maxPercentUnhealthyPartitionsPerService":0,"maxPercentUnhealthyReplicasPerPartition":0}}""";

    private static final String STORED = """
            {"items":[{"entity":"node:node-1","sourceId":"Watchdog.Disk","property":"DiskSpace","healthState":"Warning",
              "effectiveHealthState":"Warning","description":"/var at 91%","sequenceNumber":1795435566163901,
              "reportedAt":"2026-11-23T10:00:00Z","timeToLive":"5m","expiresAt":"2026-11-23T10:05:00Z",
              "removeWhenExpired":false,"expired":false}]}""";

    @Test
    void showPrintsTheStateReportsTheEvaluationTreeAndTheChildren() {
        Cli cli = new Cli();
        cli.transport.on("GET", "/v1/health", ok(42, SERVICE_HEALTH));
        Cli.Result r = cli.run("health", "show", "service:Shop/Cart");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(cli.transport.requests.get(0).query()).isEqualTo(Map.of("entity", "service:Shop/Cart"));
        assertThat(r.out()).isEqualTo("""
                Entity:  service:Shop/Cart
                Health:  Error
                Policy:  considerWarningAsError=false, maxPercentUnhealthyDeployedApplications=0, maxPercentUnhealthyServices=0, maxPercentUnhealthyPartitionsPerService=0, maxPercentUnhealthyReplicasPerPartition=0

                SOURCE      PROPERTY                      STATE                 DESCRIPTION                    EXPIRES
                System.PLB  ServiceReplicaUnplacedHealth  Warning               needs 4 nodes, 3 are eligible  -
                Watchdog    Latency                       Ok (counts as Error)  p99 40ms                       expired 2026-11-23T09:05:00Z

                Unhealthy evaluations:
                  Error    Watchdog/Latency: expired at 2026-11-23T09:05:00Z
                  Error    Partitions: 1 of 1 (100%) unhealthy, max allowed 0%
                    Error    partition:Shop/Cart/p1
                      Error    Replicas: 1 of 3 (33%) unhealthy, max allowed 0%
                        Error    replica:Shop/Cart/p1/2
                          Error    System.RA/State: Down: node N2 is down

                CHILDREN    TOTAL  OK  WARNING  ERROR
                Partitions  1      0   0        1
                """);
    }

    @Test
    void showDefaultsToTheClusterAndPassesPolicyOverrides() {
        Cli cli = new Cli();
        cli.transport.on("GET", "/v1/health", ok(42, "{\"entity\":\"cluster\",\"aggregatedHealthState\":\"Ok\"}"));
        assertThat(cli.run("health", "show").exitCode()).isZero();
        assertThat(cli.transport.requests.get(0).query()).isEmpty();
        Cli.Result r = cli.run("health", "show", "capstan:/Shop/Cart", "--consider-warning-as-error",
                "--max-percent-unhealthy-replicas", "50", "--max-percent-unhealthy-partitions", "10",
                "--max-percent-unhealthy-nodes", "20");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(cli.transport.requests.get(1).query()).isEqualTo(Map.of("entity", "service:Shop/Cart",
                "considerWarningAsError", "true", "maxPercentUnhealthyNodes", "20",
                "maxPercentUnhealthyPartitionsPerService", "10", "maxPercentUnhealthyReplicasPerPartition", "50"));
        cli.run("health", "show", "capstan:/Shop", "--consider-warning-as-error=false");
        assertThat(cli.transport.requests.get(2).query())
                .isEqualTo(Map.of("entity", "app:Shop", "considerWarningAsError", "false"));
    }

    @Test
    void showWithJsonOutputPrintsExactlyTheApiBody() {
        Cli cli = new Cli();
        cli.transport.on("GET", "/v1/health", ok(42, SERVICE_HEALTH));
        Cli.Result r = cli.run("health", "show", "service:Shop/Cart", "-o", "json");
        assertThat(r.out()).isEqualTo(SERVICE_HEALTH + "\n");
    }

    @Test
    void aBadEntityOrPercentIsAUsageErrorThatShowsTheForms() {
        Cli cli = new Cli();
        Cli.Result entity = cli.run("health", "show", "services:Shop/Cart");
        assertThat(entity.exitCode()).isEqualTo(2);
        assertThat(entity.err()).contains("health entity 'services:Shop/Cart' is not valid; write one of: cluster, node:NODE")
                .contains("capstan:/APP/SVC work too");
        Cli.Result percent = cli.run("health", "show", "--max-percent-unhealthy-replicas", "150");
        assertThat(percent.exitCode()).isEqualTo(2);
        assertThat(percent.err()).contains("'150' must be a whole percentage from 0 to 100");
        assertThat(cli.transport.requests).isEmpty();
    }

    @Test
    void reportSendsOneReportAndSaysWhatWasStored() throws Exception {
        Cli cli = new Cli();
        cli.transport.on("POST", "/v1/health/reports", ok(43, STORED));
        Cli.Result r = cli.run("health", "report", "node:node-1", "--source", "Watchdog.Disk", "--property", "DiskSpace",
                "--state", "warning", "--description", "/var at 91%", "--ttl", "5m");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(ApiClient.JSON.readTree(cli.transport.requests.get(0).bodyText())).isEqualTo(ApiClient.JSON.readTree("""
                {"entity":"node:node-1","sourceId":"Watchdog.Disk","property":"DiskSpace","healthState":"Warning",
                 "description":"/var at 91%","timeToLive":"5m"}"""));
        assertThat(r.out()).isEqualTo("reported Warning on node:node-1 (Watchdog.Disk/DiskSpace, sequence 1795435566163901,"
                + " expires 2026-11-23T10:05:00Z)\n");

        Cli.Result json = cli.run("health", "report", "capstan:/Shop/Cart", "--source", "W", "--property", "P", "--state", "Ok",
                "--ttl", "30s", "--remove-when-expired", "--sequence", "9", "-o", "json");
        assertThat(json.out()).isEqualTo(STORED + "\n");
        assertThat(ApiClient.JSON.readTree(cli.transport.requests.get(1).bodyText())).isEqualTo(ApiClient.JSON.readTree("""
                {"entity":"service:Shop/Cart","sourceId":"W","property":"P","healthState":"Ok","timeToLive":"30s",
                 "removeWhenExpired":true,"sequenceNumber":9}"""));
    }

    @Test
    void reportRefusesWhatTheServerWouldRefuseBeforeSendingIt() {
        Cli cli = new Cli();
        Cli.Result system = cli.run("health", "report", "cluster", "--source", "System.FM", "--property", "P", "--state", "Ok");
        assertThat(system.exitCode()).isEqualTo(2);
        assertThat(system.err()).contains("--source 'System.FM' starts with 'System.', which is reserved");
        Cli.Result remove = cli.run("health", "report", "cluster", "--source", "W", "--property", "P", "--state", "Ok",
                "--remove-when-expired");
        assertThat(remove.exitCode()).isEqualTo(2);
        assertThat(remove.err()).contains("--remove-when-expired needs --ttl DURATION");
        Cli.Result state = cli.run("health", "report", "cluster", "--source", "W", "--property", "P", "--state", "Fine");
        assertThat(state.exitCode()).isEqualTo(2);
        assertThat(state.err()).contains("--state").contains("Ok, Warning, Error");
        assertThat(cli.transport.requests).isEmpty();
    }

    @Test
    void aStaleReportIsAFailureWithTheServersMessage() {
        Cli cli = new Cli();
        cli.transport.on("POST", "/v1/health/reports", FakeTransport.error(409, "CONFLICT",
                "stale health report: node:node-1 W/P has sequence number 10 stored, this report has 5; send a higher sequence number"));
        Cli.Result r = cli.run("health", "report", "node:node-1", "--source", "W", "--property", "P", "--state", "Ok",
                "--sequence", "5");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("error: stale health report: node:node-1 W/P has sequence number 10 stored, this report"
                + " has 5; send a higher sequence number\n");
    }
}
