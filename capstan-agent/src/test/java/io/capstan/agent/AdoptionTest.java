package io.capstan.agent;

import static io.capstan.agent.Fixture.CP;
import static io.capstan.agent.Fixture.activation;
import static io.capstan.agent.Fixture.replica;
import static io.capstan.agent.Fixture.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.wire.ServicePackageActivation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** An agent restart keeps workloads: the new agent adopts its predecessor's processes by pid and start time. */
class AdoptionTest extends FixtureTest {

    @Test
    void aRestartedAgentAdoptsRunningProcessesAndStopsWhatIsNoLongerAssigned() throws Exception {
        ActivationManager first = f.manager();
        ServicePackageActivation shared = activation("App1", "", f.servicePackage("run"), List.of(replica(1, "ServiceA", UUID.randomUUID())));
        ServicePackageActivation exclusive = activation("App1", "e7", f.servicePackage("fork"), List.of(replica(2, "ServiceC", UUID.randomUUID())));
        ServicePackageActivation crashed = activation("App3", "", f.servicePackage("run"), List.of());
        first.converge(f.assignment(3, shared, exclusive, crashed));
        long sharedPid = await().until(() -> running(first, shared.key(), CP), Optional::isPresent).orElseThrow().pid();
        long exclusivePid = await().until(() -> running(first, exclusive.key(), CP), Optional::isPresent).orElseThrow().pid();
        long crashedPid = await().until(() -> running(first, crashed.key(), CP), Optional::isPresent).orElseThrow().pid();
        int sharedPort = Fixture.find(first, shared.key()).orElseThrow().endpoints().get("web");

        first.close();
        // Closing the agent leaves its workloads alone.
        assertThat(Fixture.alive(sharedPid)).isTrue();
        assertThat(Fixture.alive(exclusivePid)).isTrue();
        // One dies while no agent watches.
        kill9(crashedPid);

        ActivationManager second = f.manager();
        CodePackageStatus adopted = running(second, shared.key(), CP).orElseThrow();
        assertThat(adopted.pid()).isEqualTo(sharedPid);
        assertThat(adopted.state()).isEqualTo(CodePackageStatus.State.Running);
        assertThat(running(second, exclusive.key(), CP).orElseThrow().pid()).isEqualTo(exclusivePid);
        assertThat(Fixture.find(second, shared.key()).orElseThrow().endpoints()).containsEntry("web", sharedPort);
        // The dead one is restarted; how it ended is unknown to the new agent.
        CodePackageStatus restarted = await().until(() -> running(second, crashed.key(), CP), Optional::isPresent).orElseThrow();
        assertThat(restarted.pid()).isNotEqualTo(crashedPid);
        assertThat(restarted.restartCount()).isEqualTo(1);
        assertThat(restarted.lastExitCode()).isNull();

        // The first assignment after the restart keeps what it lists (no duplicate) and stops the rest.
        second.converge(f.assignment(4, shared, crashed));
        await().until(() -> Fixture.find(second, exclusive.key()).isEmpty());
        assertThat(Fixture.alive(exclusivePid)).isFalse();
        assertThat(second.activationDir(exclusive.key())).doesNotExist();
        assertThat(running(second, shared.key(), CP).orElseThrow().pid()).isEqualTo(sharedPid);
        assertThat(Files.readAllLines(second.activationDir(shared.key()).resolve("work/starts-" + CP))).hasSize(1);

        // An adopted process that exits is restarted too (exit code unknown: it is not our child any more).
        ProcessHandle.of(sharedPid).orElseThrow().destroyForcibly();
        CodePackageStatus again = await().until(() -> running(second, shared.key(), CP).filter(c -> c.pid() != sharedPid),
                Optional::isPresent).orElseThrow();
        assertThat(again.restartCount()).isEqualTo(1);
    }

    @Test
    void aRecordedPidNowUsedByAnotherProcessIsNotTouched() throws Exception {
        ActivationManager first = f.manager();
        ServicePackageActivation a = activation("App1", "", f.servicePackage("run"), List.of());
        first.converge(f.assignment(1, a));
        long pid = await().until(() -> running(first, a.key(), CP), Optional::isPresent).orElseThrow().pid();
        first.close();

        // Rewrite the record as if the pid now belonged to a stranger: same number, another start time.
        Process stranger = new ProcessBuilder("setsid", "sleep", "1000").start(); // a group leader, like ours
        try {
            Path recordFile = first.activationDir(a.key()).resolve("activation.json");
            var json = io.capstan.model.CapstanJson.newMapper();
            ActivationRecord r = json.readValue(recordFile.toFile(), ActivationRecord.class);
            ProcessRecord mine = r.processes().get(CP);
            ActivationRecord faked = new ActivationRecord(r.key(), r.servicePackageVersion(), r.packageDigest(), r.ports(),
                    java.util.Map.of(CP, new ProcessRecord(stranger.pid(), mine.startTicks(), mine.startedAt(), 0)), r.activation());
            Files.write(recordFile, json.writeValueAsBytes(faked));
            kill9(pid);

            ActivationManager second = f.manager();
            CodePackageStatus c = await().until(() -> running(second, a.key(), CP), Optional::isPresent).orElseThrow();
            assertThat(c.pid()).isNotEqualTo(stranger.pid());
            second.converge(f.assignment(2));
            await().until(() -> second.deployed().isEmpty());
            assertThat(stranger.isAlive()).as("a stranger with a recorded pid survives").isTrue();
        } finally {
            stranger.destroyForcibly().onExit().join();
        }
    }

    private static void kill9(long pid) {
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
        h.destroyForcibly();
        h.onExit().join();
    }
}
