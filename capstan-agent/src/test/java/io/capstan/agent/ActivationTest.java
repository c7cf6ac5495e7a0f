package io.capstan.agent;

import static io.capstan.agent.Fixture.CP;
import static io.capstan.agent.Fixture.activation;
import static io.capstan.agent.Fixture.replica;
import static io.capstan.agent.Fixture.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import io.capstan.model.CapstanJson;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.manifest.EndpointManifest;
import io.capstan.model.manifest.ResourceRequest;
import io.capstan.model.manifest.ServicePackageManifest;
import io.capstan.model.wire.AssignedReplica;
import io.capstan.model.wire.ServicePackageActivation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Activation semantics (seed 004) with real processes: shared and exclusive copies, env, ports, replica updates. */
class ActivationTest extends FixtureTest {

    @Test
    void sharedProcessHostsReplicasOfTwoServicesInOneProcess() throws Exception {
        ActivationManager m = f.manager();
        UUID p1 = UUID.randomUUID();
        UUID p2 = UUID.randomUUID();
        ServicePackageActivation shared = activation("App1", "", f.servicePackage("run"),
                List.of(replica(1, "ServiceA", p1), replica(2, "ServiceB", p2)));
        m.converge(f.assignment(5, shared));

        ActivationKey key = shared.key();
        CodePackageStatus cp = await().until(() -> running(m, key, CP), java.util.Optional::isPresent).orElseThrow();
        await().until(() -> Fixture.envWritten(m, key, CP));

        List<DeployedServicePackage> deployed = m.deployed();
        assertThat(deployed).hasSize(1);
        DeployedServicePackage d = deployed.getFirst();
        assertThat(d.activationId()).isEmpty();
        assertThat(d.replicaIds()).containsExactly(1L, 2L);
        assertThat(d.codePackages()).hasSize(1);
        assertThat(m.assignmentIndex()).isEqualTo(5);
        Path dir = m.activationDir(key);
        assertThat(Files.readAllLines(dir.resolve("work/starts-" + CP))).containsExactly(Long.toString(cp.pid()));

        Map<String, String> env = Fixture.env(m, key, CP);
        assertThat(env).containsEntry("CAPSTAN_APPLICATION_NAME", "App1")
                .containsEntry("CAPSTAN_NODE_NAME", f.node)
                .containsEntry("CAPSTAN_API", "http://127.0.0.1:1")
                .containsEntry("CAPSTAN_APPLICATION_TYPE", Fixture.APP_TYPE)
                .containsEntry("CAPSTAN_SERVICE_PACKAGE_NAME", Fixture.SP)
                .containsEntry("CAPSTAN_SERVICE_PACKAGE_VERSION", "1.0.0")
                .containsEntry("CAPSTAN_SERVICE_PACKAGE_ACTIVATION_ID", "")
                .containsEntry("CAPSTAN_CODE_PACKAGE_NAME", CP)
                .containsEntry("CAPSTAN_WORK_DIR", dir.resolve("work").toString())
                .containsEntry("CAPSTAN_LOG_DIR", dir.resolve("log").toString())
                .containsEntry("CAPSTAN_PARTITION_IDS", p1 + "," + p2)
                .containsEntry("CAPSTAN_REPLICAS_FILE", dir.resolve("work/replicas.json").toString())
                .containsEntry("CAPSTAN_ENDPOINT_WEB_PORT", Integer.toString(d.endpoints().get("web")))
                .containsEntry("GREETING", "hi")
                .containsKey("PATH");
        // It runs in its own copy of the code package folder, with stdout going to the log file.
        assertThat(Files.readString(dir.resolve("work/pwd-" + CP)).trim()).isEqualTo(dir.resolve(Fixture.SP).resolve(CP).toString());
        assertThat(dir.resolve(Fixture.SP).resolve(CP).resolve("prog.sh")).isExecutable();
        await().until(() -> Files.readString(dir.resolve("log/" + CP + ".out")).contains("hello from " + cp.pid()));
        assertThat(dir.resolve("activation.json")).exists();
    }

    @Test
    void exclusiveProcessRunsOneCopyPerReplicaWithItsOwnDirectoryAndPorts() throws Exception {
        ActivationManager m = f.manager();
        UUID partition = UUID.randomUUID();
        ServicePackageManifest sp = f.servicePackage("run");
        List<ServicePackageActivation> copies = List.of(
                activation("App1", "a1f3", sp, List.of(replica(11, "ServiceC", partition))),
                activation("App1", "b2e4", sp, List.of(replica(12, "ServiceC", UUID.randomUUID()))),
                activation("App1", "c3d5", sp, List.of(replica(13, "ServiceC", UUID.randomUUID()))));
        m.converge(f.assignment(7, copies.toArray(ServicePackageActivation[]::new)));

        Set<Long> pids = new HashSet<>();
        Set<Integer> ports = new HashSet<>();
        Set<String> workDirs = new HashSet<>();
        for (ServicePackageActivation a : copies) {
            CodePackageStatus cp = await().until(() -> running(m, a.key(), CP), java.util.Optional::isPresent).orElseThrow();
            await().until(() -> Fixture.envWritten(m, a.key(), CP));
            Map<String, String> env = Fixture.env(m, a.key(), CP);
            assertThat(env.get("CAPSTAN_SERVICE_PACKAGE_ACTIVATION_ID")).isEqualTo(a.activationId()).isNotEmpty();
            pids.add(cp.pid());
            ports.add(Integer.parseInt(env.get("CAPSTAN_ENDPOINT_WEB_PORT")));
            workDirs.add(env.get("CAPSTAN_WORK_DIR"));
            assertThat(Files.readString(m.activationDir(a.key()).resolve("work/pwd-" + CP)).trim())
                    .startsWith(m.activationDir(a.key()).toString());
        }
        assertThat(pids).hasSize(3);
        assertThat(ports).hasSize(3).allSatisfy(p -> assertThat(f.config.endpointPorts().contains(p)).isTrue());
        assertThat(workDirs).hasSize(3);
        assertThat(m.deployed()).extracting(DeployedServicePackage::activationId).containsExactlyInAnyOrder("a1f3", "b2e4", "c3d5");
    }

    @Test
    void everyCodePackageOfTheServicePackageIsStarted() throws Exception {
        ActivationManager m = f.manager();
        ServicePackageManifest sp = f.servicePackage("1.0.0",
                List.of(f.codePackage(CP, "run", ResourceRequest.NONE), f.codePackage("Helper", "run", ResourceRequest.NONE)),
                List.of());
        ServicePackageActivation a = activation("App2", "", sp, List.of(replica(1, "ServiceA", UUID.randomUUID())));
        m.converge(f.assignment(1, a));
        CodePackageStatus main = await().until(() -> running(m, a.key(), CP), java.util.Optional::isPresent).orElseThrow();
        CodePackageStatus helper = running(m, a.key(), "Helper").orElseThrow();
        assertThat(main.pid()).isNotEqualTo(helper.pid());
        assertThat(Fixture.find(m, a.key()).orElseThrow().state()).isEqualTo(DeployedServicePackage.ActivationState.Active);
    }

    @Test
    void replicaChangesUpdateTheReplicasFileWithoutARestart() throws Exception {
        ActivationManager m = f.manager();
        UUID p = UUID.randomUUID();
        ServicePackageActivation v1 = activation("App1", "", f.servicePackage("run"), List.of(replica(1, "ServiceA", p)));
        m.converge(f.assignment(1, v1));
        long pid = await().until(() -> running(m, v1.key(), CP), java.util.Optional::isPresent).orElseThrow().pid();
        Path replicasFile = m.activationDir(v1.key()).resolve("work/replicas.json");
        TypeReference<List<AssignedReplica>> listOfReplicas = new TypeReference<>() { };
        assertThat(CapstanJson.newMapper().readValue(replicasFile.toFile(), listOfReplicas)).isEqualTo(v1.replicas());

        ServicePackageActivation v2 = activation("App1", "", f.servicePackage("run"),
                List.of(replica(1, "ServiceA", p), replica(2, "ServiceB", UUID.randomUUID())));
        m.converge(f.assignment(2, v2));
        assertThat(CapstanJson.newMapper().readValue(replicasFile.toFile(), listOfReplicas)).isEqualTo(v2.replicas());
        DeployedServicePackage d = Fixture.find(m, v1.key()).orElseThrow();
        assertThat(d.replicaIds()).containsExactly(1L, 2L);
        assertThat(d.codePackages().getFirst().pid()).isEqualTo(pid);
        assertThat(d.codePackages().getFirst().restartCount()).isZero();
    }

    @Test
    void aNewPackageVersionWithAnotherCodePackageReplacesTheActivation() throws Exception {
        ActivationManager m = f.manager();
        ServicePackageActivation v1 = activation("App1", "", f.servicePackage("run"), List.of(replica(1, "ServiceA", UUID.randomUUID())));
        m.converge(f.assignment(1, v1));
        long pid1 = await().until(() -> running(m, v1.key(), CP), java.util.Optional::isPresent).orElseThrow().pid();

        // The code package's manifest changes (its args): a restart (an unchanged one is kept: PackageUpgradeTest).
        ServicePackageManifest newer = f.servicePackage("1.1.0", List.of(f.codePackage(CP, "fork", ResourceRequest.NONE)),
                List.of(new EndpointManifest("web", "http", null)));
        ServicePackageActivation v2 = activation("App1", "", newer, v1.replicas());
        m.converge(f.assignment(2, v2));
        CodePackageStatus cp2 = await().until(() -> running(m, v1.key(), CP).filter(c -> c.pid() != pid1),
                java.util.Optional::isPresent).orElseThrow();
        assertThat(Fixture.alive(pid1)).isFalse();
        assertThat(Fixture.find(m, v1.key()).orElseThrow().servicePackageVersion()).isEqualTo("1.1.0");
        await().until(() -> Fixture.envWritten(m, v1.key(), CP));
        assertThat(Fixture.env(m, v1.key(), CP)).containsEntry("CAPSTAN_SERVICE_PACKAGE_VERSION", "1.1.0");
        assertThat(cp2.restartCount()).isZero();
    }

    @Test
    void aFixedPortIsUsedAsIs() throws Exception {
        ActivationManager m = f.manager();
        int fixed = 20999;
        ServicePackageManifest sp = f.servicePackage("1.0.0", List.of(f.codePackage(CP, "run", ResourceRequest.NONE)),
                List.of(new EndpointManifest("admin", "tcp", fixed), new EndpointManifest("web", "http", null)));
        ServicePackageActivation a = activation("App1", "", sp, List.of());
        m.converge(f.assignment(1, a));
        await().until(() -> running(m, a.key(), CP), java.util.Optional::isPresent);
        await().until(() -> Fixture.envWritten(m, a.key(), CP));
        assertThat(Fixture.env(m, a.key(), CP)).containsEntry("CAPSTAN_ENDPOINT_ADMIN_PORT", Integer.toString(fixed));
        assertThat(Fixture.find(m, a.key()).orElseThrow().endpoints()).containsEntry("admin", fixed).containsKey("web");
    }

    @Test
    void aPackageThatCannotBeFetchedIsRetriedAndReportedFailing() throws Exception {
        ActivationManager m = new ActivationManager(f.config, digest -> {
            throw new java.io.IOException("server unreachable");
        }, () -> { });
        m.recover();
        try {
            ServicePackageActivation a = activation("App1", "", f.servicePackage("run"), List.of());
            m.converge(f.assignment(1, a));
            DeployedServicePackage d = await().until(() -> Fixture.find(m, a.key()).orElseThrow(),
                    x -> x.state() == DeployedServicePackage.ActivationState.Failing);
            assertThat(d.codePackages()).singleElement().satisfies(c -> {
                assertThat(c.state()).isEqualTo(CodePackageStatus.State.Backoff);
                assertThat(c.nextRestartAt()).isNotNull();
            });
            m.deactivateAll(Duration.ofSeconds(10));
            assertThat(m.deployed()).isEmpty();
            assertThat(m.activationDir(a.key())).doesNotExist();
        } finally {
            m.close();
        }
    }
}
