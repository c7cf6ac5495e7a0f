package io.capstan.model.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParameterSubstitutionTest {

    private final ApplicationTypeManifest type = ManifestParser.parse(ManifestFixtures.VALID, "capstan-app.yaml");

    @Test
    void overridesReplaceDefaultsAndTheRestKeepTheirDefaults() {
        Map<String, String> values = ParameterSubstitution.effective(type, Map.of("Greeting", "hi"));
        assertThat(values).containsExactlyInAnyOrderEntriesOf(Map.of("Greeting", "hi", "Level", "info"));
        assertThat(ParameterSubstitution.effective(type, null)).isEqualTo(type.parameters());
    }

    @Test
    void unknownOverrideIsRejectedNamingTheTypeAndTheDeclaredParameters() {
        assertThatThrownBy(() -> ParameterSubstitution.effective(type, Map.of("Foo", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'Foo' is not declared by MyAppType 1.0.0; declared: Greeting, Level");
        assertThatThrownBy(() -> ParameterSubstitution.effective(type, Map.of("Greting", "x")))
                .hasMessage("parameter 'Greting' is not declared by MyAppType 1.0.0; declared: Greeting, Level (did you mean 'Greeting'?)");
        assertThatThrownBy(() -> ParameterSubstitution.effective(Map.of("Greeting", "a"), Map.of("B", "x", "A", "y")))
                .hasMessage("parameters 'A', 'B' are not declared by the application type; declared: Greeting");
        assertThatThrownBy(() -> ParameterSubstitution.effective(Map.of(), Map.of("A", "y")))
                .hasMessage("parameter 'A' is not declared by the application type; declared: none");
    }

    @Test
    void resolveReplacesReferencesInCommandArgsEnvAndWorkingDir() {
        ServicePackageManifest pkg = new ServicePackageManifest("P", "1", List.of(), List.of(new CodePackageManifest("C", "1",
                new ProcessSpec("[Bin]/python3", List.of("app.py", "--greeting=[Greeting]!", "[Greeting][Greeting]"),
                        Map.of("LEVEL", "[Level]", "PLAIN", "x[1]"), "[Dir]"), null)), List.of());
        ServicePackageManifest resolved = ParameterSubstitution.resolve(pkg,
                Map.of("Bin", "/usr/bin", "Greeting", "hi $1 \\o/", "Level", "debug", "Dir", "work"));
        ProcessSpec p = resolved.codePackages().get(0).run() instanceof ProcessSpec ps ? ps : null;
        assertThat(p.command()).isEqualTo("/usr/bin/python3");
        assertThat(p.args()).containsExactly("app.py", "--greeting=hi $1 \\o/!", "hi $1 \\o/hi $1 \\o/");
        assertThat(p.env()).isEqualTo(Map.of("LEVEL", "debug", "PLAIN", "x[1]"));
        assertThat(p.workingDir()).isEqualTo("work");
        assertThat(resolved.name()).isEqualTo("P");
    }

    @Test
    void substitutionIsASinglePass() {
        assertThat(ParameterSubstitution.substitute("[A]", Map.of("A", "[B]", "B", "no"))).isEqualTo("[B]");
    }

    @Test
    void resolveAllUsesTheTypesDefaults() {
        List<ServicePackageManifest> packages = ParameterSubstitution.resolveAll(type, Map.of("Level", "warn"));
        ProcessSpec p = packages.get(0).codePackages().get(0).run() instanceof ProcessSpec ps ? ps : null;
        assertThat(p.args()).containsExactly("server.py", "--greeting", "hello");
        assertThat(p.env()).containsEntry("LOG_LEVEL", "warn");
    }

    @Test
    void referenceWithoutValueIsAnError() {
        assertThatThrownBy(() -> ParameterSubstitution.substitute("x [Missing]", Map.of("A", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'x [Missing]' refers to parameter [Missing], which has no value; known: A");
    }

    @Test
    void containerFieldsAreResolvedToo() {
        ServicePackageManifest pkg = new ServicePackageManifest("P", "1", List.of(), List.of(new CodePackageManifest("C", "1",
                new ContainerSpec("[Image].tar", List.of("[A]"), Map.of("E", "[A]")), null, null, null)), List.of());
        RunSpec c = ParameterSubstitution.resolve(pkg, Map.of("Image", "app", "A", "1")).codePackages().get(0).run();
        assertThat(c).isEqualTo(new ContainerSpec("app.tar", List.of("1"), Map.of("E", "1")));
    }

    @Test
    void probeCommandsAndPathsAreResolved() {
        ApplicationTypeManifest probed = ManifestParser.parse(ManifestFixtures.WITH_PROBES, "capstan-app.yaml");
        CodePackageManifest c = ParameterSubstitution.resolveAll(probed, Map.of("Level", "warn")).get(0).codePackages().get(0);
        assertThat(c.probes().readiness().command()).containsExactly("./ready.sh", "--strict", "warn");
        assertThat(c.probes().startup().path()).isEqualTo("/healthz");
        assertThat(c.restartPolicy()).isEqualTo(probed.servicePackages().get(0).codePackages().get(0).restartPolicy());

        ProbeSpec http = new ProbeSpec(ProbeSpec.Kind.http, "web", "/[Greeting]/ready", null, null, null, null, null, 0, 0);
        ServicePackageManifest pkg = new ServicePackageManifest("P", "1", List.of(), List.of(new CodePackageManifest("C", "1",
                new ProcessSpec("x", List.of(), Map.of(), null), null, new CodePackageProbes(null, http, null), null)), List.of());
        assertThat(ParameterSubstitution.resolve(pkg, Map.of("Greeting", "hi")).codePackages().get(0).probes().liveness().path())
                .isEqualTo("/hi/ready");
    }
}
