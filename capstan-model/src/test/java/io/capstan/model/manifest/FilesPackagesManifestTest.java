package io.capstan.model.manifest;

import static io.capstan.model.manifest.ManifestFixtures.VALID;
import static io.capstan.model.manifest.ManifestFixtures.lineOf;
import static io.capstan.model.manifest.ManifestFixtures.only;
import static io.capstan.model.manifest.ManifestFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Config and data packages of a service package, and a code package's {@code onConfigChange}. */
class FilesPackagesManifestTest {

    private static final String FILES = """
                configPackages:
                  - {name: Settings, version: 1.0.0}
                dataPackages:
                  - {name: Static, version: 2.0.0}
            """;
    private static final String WITH_FILES = with(VALID, "    endpoints:\n", FILES + "    endpoints:\n");
    private static final String WITH_HUP = with(WITH_FILES, "        resources:\n",
            "        onConfigChange: {signal: HUP}\n        resources:\n");

    private static ServicePackageManifest pkg(String yaml) {
        return ManifestParser.parse(yaml, "a.yaml").servicePackages().get(0);
    }

    @Test
    void areParsedWithTheirVariablesAndTheDefaultRestart() {
        ServicePackageManifest p = pkg(WITH_FILES);
        assertThat(p.configPackages()).containsExactly(new FilesPackageManifest("Settings", "1.0.0"));
        assertThat(p.dataPackages()).containsExactly(new FilesPackageManifest("Static", "2.0.0"));
        assertThat(FilesPackageManifest.Kind.CONFIG.directoryVariable("my-settings.v2")).isEqualTo("CAPSTAN_CONFIG_MY_SETTINGS_V2_DIR");
        assertThat(FilesPackageManifest.Kind.DATA.directoryVariable("Static")).isEqualTo("CAPSTAN_DATA_STATIC_DIR");
        assertThat(p.codePackages().get(0).onConfigChange()).isEqualTo(OnConfigChange.RESTART);
        assertThat(pkg(with(WITH_FILES, "        resources:\n", "        onConfigChange: restart\n        resources:\n"))
                .codePackages().get(0).onConfigChange().restarts()).isTrue();
        assertThat(pkg(WITH_HUP).codePackages().get(0).onConfigChange()).isEqualTo(new OnConfigChange("HUP"));
        assertThat(pkg(with(WITH_HUP, "signal: HUP", "signal: usr1")).codePackages().get(0).onConfigChange().signal()).isEqualTo("USR1");
        assertThat(pkg(VALID).configPackages()).isEmpty();
    }

    @Test
    void roundTripThroughTheWriterJsonAndParameterSubstitution() throws Exception {
        ApplicationTypeManifest m = ManifestParser.parse(WITH_HUP, "a.yaml");
        String written = ManifestWriter.toYaml(m);
        assertThat(written).contains("configPackages:", "dataPackages:", "signal: HUP");
        assertThat(ManifestParser.parse(written, "w.yaml")).isEqualTo(m);
        ObjectMapper json = CapstanJson.newMapper();
        assertThat(json.readValue(json.writeValueAsString(m), ApplicationTypeManifest.class)).isEqualTo(m);
        assertThat(json.writeValueAsString(ManifestParser.parse(VALID, "v.yaml"))).doesNotContain("onConfigChange");
        ServicePackageManifest resolved = ParameterSubstitution.resolveAll(m, Map.of()).get(0);
        assertThat(resolved.configPackages()).isEqualTo(m.servicePackages().get(0).configPackages());
        assertThat(resolved.dataPackages()).isEqualTo(m.servicePackages().get(0).dataPackages());
        assertThat(resolved.codePackages().get(0).onConfigChange().signal()).isEqualTo("HUP");
    }

    @Test
    void aNameUsedByACodePackageIsRefusedWithTheLineOfTheFirst() {
        String yaml = with(WITH_FILES, "{name: Settings, version: 1.0.0}", "{name: MyCodePackage, version: 1.0.0}");
        ManifestProblem p = only(yaml);
        assertThat(p.field()).isEqualTo("servicePackages[0].configPackages[0].name");
        assertThat(p.message()).isEqualTo("'MyCodePackage' is already the name of servicePackages[0].codePackages[0] (line "
                + lineOf(yaml, "- name: MyCodePackage") + "); code, config and data packages of service package"
                + " 'MyServicePackage' are folders side by side in its folder, so their names must be unique: rename one");
    }

    @Test
    void aNameSharedByAConfigAndADataPackageIsRefused() {
        ManifestProblem p = only(with(WITH_FILES, "{name: Static, version: 2.0.0}", "{name: Settings, version: 2.0.0}"));
        assertThat(p.field()).isEqualTo("servicePackages[0].dataPackages[0].name");
        assertThat(p.message()).startsWith("'Settings' is already the name of servicePackages[0].configPackages[0]");
    }

    @Test
    void namesGivingTheSameVariableAreRefused() {
        ManifestProblem p = only(with(WITH_FILES, "{name: Settings, version: 1.0.0}\n",
                "{name: Settings, version: 1.0.0}\n      - {name: settings, version: 1.0.0}\n"));
        assertThat(p.field()).isEqualTo("servicePackages[0].configPackages[1].name");
        assertThat(p.message()).contains("same variable CAPSTAN_CONFIG_SETTINGS_DIR");
    }

    @Test
    void aMissingVersionAndAnUnknownFieldAreNamed() {
        List<ManifestProblem> problems = ManifestFixtures.problems(with(WITH_FILES, "{name: Settings, version: 1.0.0}",
                "{name: Settings, path: conf}"));
        assertThat(problems).extracting(ManifestProblem::field).containsExactlyInAnyOrder(
                "servicePackages[0].configPackages[0].path", "servicePackages[0].configPackages[0].version");
    }

    @Test
    void anUnknownSignalIsRefusedNamingTheFieldAndTheChoices() {
        ManifestProblem p = only(with(WITH_HUP, "signal: HUP", "signal: KILL"));
        assertThat(p.field()).isEqualTo("servicePackages[0].codePackages[0].onConfigChange.signal");
        assertThat(p.message()).isEqualTo("'KILL' is not a signal a config change can send; use one of HUP, USR1, USR2, INT, TERM"
                + ", or onConfigChange: restart");
        assertThat(only(with(WITH_HUP, "signal: HUP", "signal: SIGHUP")).message()).contains("(written without SIG: signal: HUP)");
    }

    @Test
    void anUnknownActionIsRefused() {
        ManifestProblem p = only(with(WITH_HUP, "onConfigChange: {signal: HUP}", "onConfigChange: reload"));
        assertThat(p.field()).isEqualTo("servicePackages[0].codePackages[0].onConfigChange");
        assertThat(p.message()).startsWith("'reload' is not a config change action; write onConfigChange: restart (the default)"
                + " or onConfigChange: {signal: HUP}");
        assertThat(ManifestFixtures.problems(with(WITH_HUP, "{signal: HUP}", "{sig: HUP}"))).extracting(ManifestProblem::field)
                .containsExactly("servicePackages[0].codePackages[0].onConfigChange.signal",
                        "servicePackages[0].codePackages[0].onConfigChange.sig");
    }
}
