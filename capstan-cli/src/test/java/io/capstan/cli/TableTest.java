package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {

    private static JsonNode json(String text) throws Exception {
        return ApiClient.JSON.readTree(text);
    }

    @Test
    void columnsAlignOnTheWidestCellWithoutTrailingSpaces() {
        Table t = new Table("NAME", "STATUS", "NOTE")
                .row("node-1", "Up", "")
                .row("a-much-longer-node", null, "last");
        assertThat(t.render()).isEqualTo("""
                NAME                STATUS  NOTE
                node-1              Up      -
                a-much-longer-node  -       last
                """);
    }

    @Test
    void keyValuesAlignTheValues() {
        assertThat(Table.keyValues(List.of(new String[] {"Leader", "s1"}, new String[] {"Application types", "2"})))
                .isEqualTo("""
                        Leader:             s1
                        Application types:  2
                        """);
    }

    @Test
    void nodeListFromTheApiJson() throws Exception {
        String table = NodeCommands.ListNodes.table(json("""
                {"items":[
                 {"name":"node-1","address":"127.0.0.1","faultDomain":"fd:/rack1","upgradeDomain":"UD1","status":"Up",
                  "lastHeartbeat":"2026-11-23T10:00:01Z","replicas":8,"deployedServicePackages":4},
                 {"name":"node-10","address":"127.0.0.1","faultDomain":"fd:/rack2","upgradeDomain":"UD0","status":"Down",
                  "lastHeartbeat":null,"replicas":0,"deployedServicePackages":0}]}""")).render();
        assertThat(table).isEqualTo("""
                NAME     STATUS  ADDRESS    FAULT DOMAIN  UPGRADE DOMAIN  REPLICAS  PACKAGES  LAST HEARTBEAT
                node-1   Up      127.0.0.1  fd:/rack1     UD1             8         4         2026-11-23T10:00:01Z
                node-10  Down    127.0.0.1  fd:/rack2     UD0             0         0         -
                """);
    }

    @Test
    void replicaListShowsPartitionRoleAndTheEmptyActivationId() throws Exception {
        String table = ReplicaCommands.ListReplicas.table(json("""
                {"items":[
                 {"id":7,"service":"App1/ServiceA","partitionId":"p1","partition":{"kind":"Int64Range","lowKey":0,"highKey":49},
                  "node":"node-1","role":"Primary","status":"Ready","activationId":""},
                 {"id":12,"service":"App1/ServiceC","partitionId":"p2","partition":{"kind":"Named","name":"east"},
                  "node":"node-2","role":"ActiveSecondary","status":"InBuild","activationId":"3f2a9c"}]}""")).render();
        assertThat(table).isEqualTo("""
                PARTITION  REPLICA ID  NODE    ROLE             STATUS   ACTIVATION ID
                0..49      7           node-1  Primary          Ready    ""
                east       12          node-2  ActiveSecondary  InBuild  3f2a9c
                """);
    }

    @Test
    void deployedListHasOneRowPerServicePackageWithItsCodePackagesAndPids() throws Exception {
        String table = DeployedCommands.ListDeployed.table(json("""
                {"node":"node-1","items":[
                 {"node":"node-1","application":"App1","servicePackage":"Pkg","servicePackageVersion":"1.0.0","activationId":"",
                  "applicationTypeVersion":"2.0.0","configPackageVersions":{"Settings":"2.1.0"},"state":"Active","endpoints":{"web":20001},"replicaIds":[1,2,3],
                  "codePackages":[{"name":"Code","state":"Running","pid":4242,"startedAt":"2026-11-23T10:00:00Z","restartCount":0,"lastExitCode":null},
                                  {"name":"Side","state":"Backoff","pid":null,"restartCount":3,"lastExitCode":1}]},
                 {"node":"node-1","application":"App1","servicePackage":"Pkg","servicePackageVersion":"1.0.0","activationId":"a1b2",
                  "applicationTypeVersion":"1.0.0","state":"Active","endpoints":{},"replicaIds":[9],
                  "codePackages":[{"name":"Code","state":"Running","pid":4300,"startedAt":"2026-11-23T10:00:02Z","restartCount":1}]}]}"""))
                .render();
        assertThat(table.lines()).containsExactly(
                "APPLICATION  SERVICE PACKAGE  VERSION  APP VERSION                    ACTIVATION ID  STATE   ENDPOINTS  REPLICAS  CODE PACKAGES",
                "App1         Pkg              1.0.0    2.0.0 (config Settings=2.1.0)  \"\"             Active  web=20001  1, 2, 3   "
                        + "Code(Running, pid 4242, 0 restarts, started 2026-11-23T10:00:00Z); Side(Backoff, pid -, 3 restarts, last exit 1)",
                "App1         Pkg              1.0.0    1.0.0                          a1b2           Active  -          9         "
                        + "Code(Running, pid 4300, 1 restarts, started 2026-11-23T10:00:02Z)");
    }

    @Test
    void clusterStatusNamesTheLeaderAndCounts() throws Exception {
        String text = ClusterCommands.Status.render(json("""
                {"leader":"s1","self":"s2","index":42,
                 "servers":[{"id":"s1","raftAddress":"127.0.0.1:19082","leader":true,"apiUrl":"http://127.0.0.1:19080"},{"id":"s2","raftAddress":"127.0.0.1:19083","leader":false}],
                 "nodes":{"total":3,"up":2,"down":1,"disabled":0},"applicationTypes":1,"applications":2,"services":4,
                 "replicas":{"total":24,"ready":20}}"""));
        assertThat(text).isEqualTo("""
                Leader:             s1
                Answered by:        s2
                Index:              42
                Servers:            s1 (leader) 127.0.0.1:19082 http://127.0.0.1:19080, s2 127.0.0.1:19083
                Nodes:              2 up, 1 down, 0 disabled (3 total)
                Application types:  1
                Applications:       2
                Services:           4
                Replicas:           20/24 ready
                """);
    }

    @Test
    void serviceShowAddsAPartitionsTable() throws Exception {
        String text = ServiceCommands.Show.render(json("""
                {"name":"ServiceA","application":"App1","uri":"capstan:/App1/ServiceA","serviceType":"MyServiceType",
                 "kind":"stateful","activation":"SharedProcess","servicePackage":"Pkg",
                 "partitionScheme":{"scheme":"UniformInt64Range","low":0,"high":99,"count":2},
                 "instanceCount":0,"targetReplicaSetSize":3,"minReplicaSetSize":2,"placementConstraints":"",
                 "partitions":[{"id":"p-1","key":{"kind":"Int64Range","lowKey":0,"highKey":49},"wanted":3,"placed":3,"ready":3,"primary":"node-1"},
                               {"id":"p-2","key":{"kind":"Int64Range","lowKey":50,"highKey":99},"wanted":3,"placed":2,"ready":1,"primary":null}],
                 "replicas":{"wanted":6,"placed":5,"ready":4},"placementProblem":null,"converged":false,"createdAt":"2026-11-23T10:00:00Z"}"""));
        assertThat(text).contains("Partitioning:     UniformInt64Range 0..99 in 2 partitions\n")
                .contains("Replicas:         target 3, min 2\n")
                .contains("Status:           converging\n")
                .endsWith("""

                        PARTITION  KEY     WANTED  PLACED  READY  PRIMARY
                        p-1        0..49   3       3       3      node-1
                        p-2        50..99  3       2       1      -
                        """);
    }

    @Test
    void appListAndServiceListShowReadyOfWanted() throws Exception {
        assertThat(AppCommands.ListApps.table(json("""
                {"items":[{"name":"App1","type":"T","version":"1.0.0","services":["A","B"],
                           "replicas":{"wanted":6,"placed":6,"ready":5},"converged":false}]}""")).render())
                .isEqualTo("""
                        NAME  TYPE  VERSION  SERVICES  READY  CONVERGED
                        App1  T     1.0.0    2         5/6    no
                        """);
        assertThat(ServiceCommands.ListServices.table(json("""
                {"items":[{"name":"A","serviceType":"T","kind":"stateless","activation":"ExclusiveProcess","partitions":[{}],
                           "replicas":{"wanted":3,"ready":0},"placementProblem":"needs 3 nodes, 2 are eligible","converged":false}]}""")).render())
                .isEqualTo("""
                        NAME  TYPE  KIND       ACTIVATION        PARTITIONS  READY  STATUS
                        A     T     stateless  ExclusiveProcess  1           0/3    cannot place: needs 3 nodes, 2 are eligible
                        """);
    }

    @Test
    void anEmptyListPrintsNothingOnStdoutAndANoteOnStderr() {
        Cli cli = new Cli();
        cli.transport.on("GET", "/v1/apps", FakeTransport.ok(3, "{\"items\":[]}"));
        Cli.Result r = cli.run("app", "list");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("no applications\n");
    }
}
