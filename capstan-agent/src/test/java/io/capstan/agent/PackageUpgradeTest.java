package io.capstan.agent;

import static io.capstan.agent.Fixture.CP;
import static io.capstan.agent.Fixture.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.model.ActivationMode;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.EndpointManifest;
import io.capstan.model.manifest.FilesPackageManifest;
import io.capstan.model.manifest.OnConfigChange;
import io.capstan.model.manifest.ProcessSpec;
import io.capstan.model.manifest.ResourceRequest;
import io.capstan.model.manifest.ServicePackageManifest;
import io.capstan.model.manifest.ServiceTypeManifest;
import io.capstan.model.ServiceKind;
import io.capstan.model.wire.ServicePackageActivation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A running activation given another application version: an unchanged service package keeps its processes, a change
 * of config (or data) only swaps the files and signals or restarts per {@code onConfigChange}, a code change restarts.
 */
class PackageUpgradeTest extends FixtureTest {

    /**
     * Reads its config file into work/seen-CP when it starts and on every SIGHUP, which it also counts in work/hups-CP.
     * A one-second sleep in the background keeps it waiting where a trap can run.
     */
    private static final String READER = """
            #!/bin/sh
            echo $$ >> "$WITNESS/pids"
            seen="$CAPSTAN_WORK_DIR/seen-$CAPSTAN_CODE_PACKAGE_NAME"
            read_config() { cat "$CAPSTAN_CONFIG_SETTINGS_DIR/app.conf" > "$seen.tmp"; mv "$seen.tmp" "$seen"; }
            trap 'echo hup >> "$CAPSTAN_WORK_DIR/hups-$CAPSTAN_CODE_PACKAGE_NAME"; read_config' HUP
            read_config
            echo "$CAPSTAN_DATA_STATIC_DIR" > "$CAPSTAN_WORK_DIR/data-dir"
            echo $$ >> "$CAPSTAN_WORK_DIR/starts-$CAPSTAN_CODE_PACKAGE_NAME"
            while true; do sleep 1 & wait $!; done
            """;

    @BeforeEach
    void packageWithConfigAndData() throws IOException {
        Path sp = f.packageRoot.resolve(Fixture.SP);
        Path reader = sp.resolve(CP).resolve("reader.sh");
        Files.writeString(reader, READER);
        Files.setPosixFilePermissions(reader, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(sp.resolve("Settings"));
        Files.writeString(sp.resolve("Settings/app.conf"), "greeting=hello\n");
        Files.createDirectories(sp.resolve("Static"));
        Files.writeString(sp.resolve("Static/page.html"), "<p>hi</p>\n");
    }

    private ServicePackageManifest servicePackage(String version, String configVersion, OnConfigChange onConfigChange) {
        CodePackageManifest cp = new CodePackageManifest(CP, "1.0.0",
                new ProcessSpec("./reader.sh", List.of(), Map.of("WITNESS", f.witness.toString()), null), ResourceRequest.NONE,
                null, Fixture.FAST_RESTARTS, Duration.ZERO, onConfigChange);
        return new ServicePackageManifest(Fixture.SP, version, List.of(new ServiceTypeManifest("MyServiceType", ServiceKind.STATELESS, CP)),
                List.of(cp), List.of(new EndpointManifest("web", "http", null)),
                List.of(new FilesPackageManifest("Settings", configVersion)), List.of(new FilesPackageManifest("Static", "1.0.0")));
    }

    private static ServicePackageActivation activation(String appVersion, String digest, ServicePackageManifest sp) {
        return new ServicePackageActivation("App1", Fixture.APP_TYPE, appVersion, digest, "", ActivationMode.SHARED_PROCESS, sp,
                List.of(Fixture.replica(1, "ServiceA", java.util.UUID.randomUUID())));
    }

    private static CodePackageStatus up(ActivationManager m, ActivationKey key) {
        return await().until(() -> running(m, key, CP), Optional::isPresent).orElseThrow();
    }

    private static Path work(ActivationManager m, ActivationKey key) {
        return m.activationDir(key).resolve("work");
    }

    private static String seen(ActivationManager m, ActivationKey key) {
        try {
            return Files.readString(work(m, key).resolve("seen-" + CP));
        } catch (IOException e) {
            return "";
        }
    }

    private static DeployedServicePackage deployed(ActivationManager m, ActivationKey key) {
        return Fixture.find(m, key).orElseThrow();
    }

    @Test
    void aNewVersionWithAnIdenticalServicePackageKeepsItsProcessesAndIsDecidedAgainAfterAnAgentRestart() throws Exception {
        ActivationManager first = f.manager();
        ServicePackageActivation v1 = activation("1.0.0", Fixture.DIGEST, servicePackage("1.0.0", "1.0.0", OnConfigChange.RESTART));
        first.converge(f.assignment(1, v1));
        long pid = up(first, v1.key()).pid();
        assertThat(deployed(first, v1.key()).applicationTypeVersion()).isEqualTo("1.0.0");

        // Another application version, its whole archive (and so its digest) new, this service package's content the same.
        f.packageVersion("digest-2");
        ServicePackageActivation v2 = activation("2.0.0", "digest-2", servicePackage("1.0.1", "1.0.0", OnConfigChange.RESTART));
        first.converge(f.assignment(2, v2));
        await().until(() -> "2.0.0".equals(deployed(first, v1.key()).applicationTypeVersion()));
        DeployedServicePackage d = deployed(first, v1.key());
        assertThat(d.servicePackageVersion()).isEqualTo("1.0.1");
        assertThat(d.configPackageVersions()).isEqualTo(Map.of("Settings", "1.0.0"));
        assertThat(d.dataPackageVersions()).isEqualTo(Map.of("Static", "1.0.0"));
        assertThat(running(first, v1.key(), CP).orElseThrow().pid()).as("same process").isEqualTo(pid);
        assertThat(Files.readAllLines(work(first, v1.key()).resolve("starts-" + CP))).hasSize(1);
        first.close();

        // The next agent adopts it at the new version, and decides the next upgrade from the recorded contents.
        ActivationManager second = f.manager();
        assertThat(deployed(second, v1.key()).applicationTypeVersion()).isEqualTo("2.0.0");
        assertThat(running(second, v1.key(), CP).orElseThrow().pid()).isEqualTo(pid);
        f.packageVersion("digest-3");
        ServicePackageActivation v3 = activation("3.0.0", "digest-3", servicePackage("1.0.1", "1.0.0", OnConfigChange.RESTART));
        second.converge(f.assignment(3, v3));
        await().until(() -> "3.0.0".equals(deployed(second, v1.key()).applicationTypeVersion()));
        assertThat(running(second, v1.key(), CP).orElseThrow().pid()).isEqualTo(pid);
        assertThat(Files.readAllLines(work(second, v1.key()).resolve("starts-" + CP))).hasSize(1);
    }

    @Test
    void aConfigOnlyChangeWithHupSwapsTheFilesAndSignalsTheSameProcess() throws Exception {
        ActivationManager m = f.manager();
        OnConfigChange hup = new OnConfigChange("HUP");
        ServicePackageActivation v1 = activation("1.0.0", Fixture.DIGEST, servicePackage("1.0.0", "1.0.0", hup));
        m.converge(f.assignment(1, v1));
        long pid = up(m, v1.key()).pid();
        await().until(() -> seen(m, v1.key()).equals("greeting=hello\n"));
        Path activation = m.activationDir(v1.key());
        assertThat(Files.readString(work(m, v1.key()).resolve("data-dir")).strip())
                .isEqualTo(activation.resolve("data/Static").toString());
        assertThat(activation.resolve("data/Static/page.html")).hasContent("<p>hi</p>");
        assertThat(activation.resolve(Fixture.SP).resolve("Settings")).as("not copied with the code").doesNotExist();

        Path v2Package = f.packageVersion("digest-2");
        Files.writeString(v2Package.resolve(Fixture.SP).resolve("Settings/app.conf"), "greeting=bonjour\n");
        Files.writeString(v2Package.resolve(Fixture.SP).resolve("Static/page.html"), "<p>salut</p>\n");
        ServicePackageActivation v2 = activation("2.0.0", "digest-2", servicePackage("1.0.0", "2.0.0", hup));
        m.converge(f.assignment(2, v2));

        await().until(() -> seen(m, v1.key()).equals("greeting=bonjour\n"));
        assertThat(Files.readAllLines(work(m, v1.key()).resolve("hups-" + CP))).containsExactly("hup");
        assertThat(running(m, v1.key(), CP).orElseThrow().pid()).as("same process").isEqualTo(pid);
        await().until(() -> deployed(m, v1.key()).configPackageVersions().equals(Map.of("Settings", "2.0.0")));
        assertThat(deployed(m, v1.key()).applicationTypeVersion()).isEqualTo("2.0.0");
        // The link now names the new version; the old one is gone once the process was told.
        assertThat(activation.resolve("config/Settings/app.conf")).hasContent("greeting=bonjour");
        assertThat(activation.resolve("data/Static/page.html")).as("data content changed too: one signal").hasContent("<p>salut</p>");
        await().untilAsserted(() -> {
            try (var versions = Files.list(activation.resolve("config/.versions"))) {
                assertThat(versions.toList()).hasSize(1);
            }
        });
        ActivationRecord record = CapstanJsonHolder.read(activation.resolve("activation.json"));
        assertThat(record.pendingConfigChange()).isEmpty();
        assertThat(record.activation().applicationTypeVersion()).isEqualTo("2.0.0");
    }

    @Test
    void aRollbackRightBehindAConfigUpgradeEndsOnTheOldFilesWithTheSameProcess() throws Exception {
        ActivationManager m = f.manager();
        OnConfigChange hup = new OnConfigChange("HUP");
        ServicePackageActivation v1 = activation("1.0.0", Fixture.DIGEST, servicePackage("1.0.0", "1.0.0", hup));
        m.converge(f.assignment(1, v1));
        long pid = up(m, v1.key()).pid();
        Path v2Package = f.packageVersion("digest-2");
        Files.writeString(v2Package.resolve(Fixture.SP).resolve("Settings/app.conf"), "greeting=bonjour\n");

        // Whether the second entry finds the first applied or still being compared, it ends where it started.
        m.converge(f.assignment(2, activation("2.0.0", "digest-2", servicePackage("1.0.0", "2.0.0", hup))));
        m.converge(f.assignment(3, v1));
        await().until(() -> {
            DeployedServicePackage d = deployed(m, v1.key());
            return "1.0.0".equals(d.applicationTypeVersion()) && d.configPackageVersions().equals(Map.of("Settings", "1.0.0"))
                    && CapstanJsonHolder.read(m.activationDir(v1.key()).resolve("activation.json")).pendingConfigChange().isEmpty();
        });
        await().until(() -> seen(m, v1.key()).equals("greeting=hello\n"));
        assertThat(m.activationDir(v1.key()).resolve("config/Settings/app.conf")).hasContent("greeting=hello");
        assertThat(running(m, v1.key(), CP).orElseThrow().pid()).isEqualTo(pid);
    }

    @Test
    void aRefreshTheAgentDidNotFinishIsFinishedByTheNextAgent() throws Exception {
        ActivationManager first = f.manager();
        OnConfigChange hup = new OnConfigChange("HUP");
        ServicePackageActivation v1 = activation("1.0.0", Fixture.DIGEST, servicePackage("1.0.0", "1.0.0", hup));
        first.converge(f.assignment(1, v1));
        long pid = up(first, v1.key()).pid();
        await().until(() -> seen(first, v1.key()).equals("greeting=hello\n"));
        first.close();

        // As if the agent died right after recording the refresh, before telling the code package.
        Path recordFile = first.activationDir(v1.key()).resolve("activation.json");
        ActivationRecord r = CapstanJsonHolder.read(recordFile);
        CapstanJsonHolder.write(recordFile, new ActivationRecord(r.key(), r.servicePackageVersion(), r.packageDigest(), r.ports(),
                r.processes(), r.activation(), r.contents(), List.of(CP)));
        // And as if a later, unrecorded swap had moved the link: the record's version wins.
        Path link = first.activationDir(v1.key()).resolve("config/Settings");
        Files.createDirectories(link.resolveSibling(".versions/Settings@unrecorded"));
        Files.writeString(link.resolveSibling(".versions/Settings@unrecorded/app.conf"), "greeting=unrecorded\n");
        Files.delete(link);
        Files.createSymbolicLink(link, Path.of(".versions/Settings@unrecorded"));

        ActivationManager second = f.manager();
        assertThat(running(second, v1.key(), CP).orElseThrow().pid()).isEqualTo(pid);
        await().until(() -> Files.exists(work(second, v1.key()).resolve("hups-" + CP)));
        await().until(() -> seen(second, v1.key()).equals("greeting=hello\n"));
        assertThat(Files.readAllLines(work(second, v1.key()).resolve("hups-" + CP))).containsExactly("hup");
        await().until(() -> CapstanJsonHolder.read(recordFile).pendingConfigChange().isEmpty());
        assertThat(link.resolveSibling(".versions/Settings@unrecorded")).as("stale version removed").doesNotExist();
    }

    @Test
    void aConfigOnlyChangeWithTheDefaultRestartsTheCodePackageWithoutCountingAFailure() throws Exception {
        ActivationManager m = f.manager();
        ServicePackageActivation v1 = activation("1.0.0", Fixture.DIGEST, servicePackage("1.0.0", "1.0.0", OnConfigChange.RESTART));
        m.converge(f.assignment(1, v1));
        long pid = up(m, v1.key()).pid();
        int port = deployed(m, v1.key()).endpoints().get("web");

        Path v2Package = f.packageVersion("digest-2");
        Files.writeString(v2Package.resolve(Fixture.SP).resolve("Settings/app.conf"), "greeting=hola\n");
        m.converge(f.assignment(2, activation("2.0.0", "digest-2", servicePackage("1.0.0", "1.0.0", OnConfigChange.RESTART))));

        CodePackageStatus again = await().until(() -> running(m, v1.key(), CP).filter(c -> c.pid() != pid), Optional::isPresent)
                .orElseThrow();
        await().until(() -> seen(m, v1.key()).equals("greeting=hola\n"));
        assertThat(Fixture.alive(pid)).isFalse();
        assertThat(again.restartCount()).isEqualTo(1);
        assertThat(again.consecutiveFailures()).isZero();
        assertThat(again.lastExitReason()).isEqualTo(CodePackageSupervisor.CONFIG_CHANGED);
        // Refreshed in place: the activation kept its directory and ports.
        assertThat(deployed(m, v1.key()).endpoints()).containsEntry("web", port);
        assertThat(work(m, v1.key()).resolve("hups-" + CP)).doesNotExist();
    }

    @Test
    void aCodeChangeRestartsTheActivation() throws Exception {
        ActivationManager m = f.manager();
        ServicePackageActivation v1 = activation("1.0.0", Fixture.DIGEST, servicePackage("1.0.0", "1.0.0", new OnConfigChange("HUP")));
        m.converge(f.assignment(1, v1));
        long pid = up(m, v1.key()).pid();

        Path v2Package = f.packageVersion("digest-2");
        Files.writeString(v2Package.resolve(Fixture.SP).resolve(CP).resolve("reader.sh"), READER + "# v2\n");
        m.converge(f.assignment(2, activation("2.0.0", "digest-2", servicePackage("1.0.0", "1.0.0", new OnConfigChange("HUP")))));

        CodePackageStatus again = await().until(() -> running(m, v1.key(), CP).filter(c -> c.pid() != pid), Optional::isPresent)
                .orElseThrow();
        assertThat(Fixture.alive(pid)).isFalse();
        assertThat(again.restartCount()).as("a new activation, not a restart in place").isZero();
        assertThat(deployed(m, v1.key()).applicationTypeVersion()).isEqualTo("2.0.0");
        assertThat(work(m, v1.key()).resolve("hups-" + CP)).doesNotExist();
        assertThat(m.activationDir(v1.key()).resolve(Fixture.SP).resolve(CP).resolve("reader.sh")).content().endsWith("# v2\n");
    }

    /** Reads records the way the agent writes them. */
    private static final class CapstanJsonHolder {
        static ActivationRecord read(Path file) throws IOException {
            return io.capstan.model.CapstanJson.newMapper().readValue(file.toFile(), ActivationRecord.class);
        }

        static void write(Path file, ActivationRecord record) throws IOException {
            Files.write(file, io.capstan.model.CapstanJson.newMapper().writeValueAsBytes(record));
        }
    }
}
