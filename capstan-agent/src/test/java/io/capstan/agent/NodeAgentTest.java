package io.capstan.agent;

import static io.capstan.agent.Fixture.CP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.capstan.model.ActivationMode;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.pkg.PackageArchive;
import io.capstan.model.pkg.PackageLimits;
import io.capstan.model.wire.NodeAssignment;
import io.capstan.model.wire.NodeReport;
import io.capstan.model.wire.ServicePackageActivation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole agent against an in-memory control plane: registration, heartbeats, assignments, reports, packages. */
class NodeAgentTest {

    @TempDir
    Path tmp;

    @Test
    void registersConvergesReportsAndStopsItsWorkloadsOnRequest() throws Exception {
        FakeControlPlane server = new FakeControlPlane();
        try (Fixture f = new Fixture(tmp, b -> b.heartbeatInterval(Duration.ofMillis(100))
                .assignmentWait(Duration.ofSeconds(1))
                .reportResync(Duration.ofSeconds(1))
                .faultDomain("fd:/dc1/rack2")
                .upgradeDomain("UD1")
                .properties(java.util.Map.of("NodeType", "frontend")))) {
            byte[] archive = PackageArchive.toBytes(PackageArchive.readFolder(f.packageRoot, PackageLimits.DEFAULT));
            String digest = PackageArchive.sha256(archive);
            server.packages.put(digest, archive);

            NodeAgent agent = new NodeAgent(f.config, server);
            assertThat(agent.state()).isEqualTo(LifeCycle.State.NEW);
            agent.start();
            assertThat(agent.state()).isEqualTo(LifeCycle.State.RUNNING);
            assertThatThrownBy(agent::start).isInstanceOf(IllegalStateException.class);

            await().until(() -> server.registrations.size() == 1);
            var d = server.registrations.getFirst();
            assertThat(d.name()).isEqualTo(f.node);
            assertThat(d.faultDomain()).isEqualTo("fd:/dc1/rack2");
            assertThat(d.upgradeDomain()).isEqualTo("UD1");
            assertThat(d.properties()).containsEntry("NodeType", "frontend").containsKey(NodeAgent.LIMITS_ENFORCED_PROPERTY);
            assertThat(d.capacities()).containsKeys("cpu", "memoryMiB");
            await().until(() -> agent.status().registered());

            server.forgetNode();
            await().until(() -> server.registrations.size() == 2);

            ServicePackageActivation a = new ServicePackageActivation("App1", Fixture.APP_TYPE, "1.0.0", digest, "",
                    ActivationMode.SHARED_PROCESS, f.servicePackage("run"), List.of(Fixture.replica(9, "ServiceA", UUID.randomUUID())));
            server.publish(new NodeAssignment(f.node, 12, List.of(a)));

            NodeReport report = await().until(server::lastReport, r -> r != null && r.assignmentIndex() == 12
                    && r.deployed().size() == 1 && r.deployed().getFirst().state() == DeployedServicePackage.ActivationState.Active);
            DeployedServicePackage deployed = report.deployed().getFirst();
            assertThat(deployed.node()).isEqualTo(f.node);
            assertThat(deployed.replicaIds()).containsExactly(9L);
            CodePackageStatus cp = deployed.codePackages().getFirst();
            assertThat(cp.name()).isEqualTo(CP);
            assertThat(cp.pid()).isNotNull();
            assertThat(f.config.dataDir().resolve("packages").resolve(digest).resolve(Fixture.SP).resolve(CP).resolve("prog.sh"))
                    .isExecutable();
            assertThat(agent.status().assignmentIndex()).isEqualTo(12);

            agent.closeAndStopWorkloads(Duration.ofSeconds(10));
            assertThat(agent.state()).isEqualTo(LifeCycle.State.CLOSED);
            assertThat(Fixture.alive(cp.pid())).isFalse();
            assertThat(server.lastReport().deployed()).isEmpty();
            agent.close(); // idempotent
        }
    }

    @Test
    void aPackageWhoseBytesDoNotMatchItsDigestIsRefused() throws Exception {
        FakeControlPlane server = new FakeControlPlane();
        String digest = "0".repeat(64);
        server.packages.put(digest, PackageArchive.toBytes(List.of()));
        PackageCache cache = new PackageCache(tmp.resolve("packages"), server);
        assertThatThrownBy(() -> cache.resolve(digest)).hasMessageContaining("refusing");
        assertThatThrownBy(() -> cache.resolve("../etc")).hasMessageContaining("not a package digest");
        try (var s = Files.list(tmp.resolve("packages"))) {
            assertThat(s.toList()).as("nothing half-downloaded is left").isEmpty();
        }
    }

    @Test
    void closingBeforeStartingIsFine() throws Exception {
        NodeAgent agent = new NodeAgent(AgentConfig.builder("n1", tmp).build(), new FakeControlPlane());
        agent.close();
        assertThat(agent.state()).isEqualTo(LifeCycle.State.CLOSED);
        assertThatThrownBy(agent::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void twoAgentsCannotShareADataDirectory() throws Exception {
        AgentConfig config = AgentConfig.builder("n1", tmp).heartbeatInterval(Duration.ofMillis(200)).build();
        NodeAgent first = new NodeAgent(config, new FakeControlPlane());
        first.start();
        try {
            NodeAgent second = new NodeAgent(config, new FakeControlPlane());
            assertThatThrownBy(second::start).hasMessageContaining("another agent");
            assertThat(second.state()).isEqualTo(LifeCycle.State.CLOSED);
        } finally {
            first.close();
        }
        NodeAgent third = new NodeAgent(config, new FakeControlPlane());
        third.start();
        third.close();
    }
}
