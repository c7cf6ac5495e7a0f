package io.capstan.model.manifest;

import static io.capstan.model.manifest.ManifestFixtures.VALID;
import static io.capstan.model.manifest.ManifestFixtures.only;
import static io.capstan.model.manifest.ManifestFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A code package's {@code drainTimeout}: the time a stop gives requests in flight after its endpoints are unpublished. */
class DrainTimeoutManifestTest {

    private static final String WITH_DRAIN = with(VALID, "        resources:\n", "        drainTimeout: 2s\n        resources:\n");

    private static CodePackageManifest code(ApplicationTypeManifest m) {
        return m.servicePackages().get(0).codePackages().get(0);
    }

    @Test
    void isParsedAndDefaultsToFiveSeconds() {
        assertThat(code(ManifestParser.parse(WITH_DRAIN, "a.yaml")).drainPeriod()).isEqualTo(Duration.ofSeconds(2));
        CodePackageManifest plain = code(ManifestParser.parse(VALID, "a.yaml"));
        assertThat(plain.drainTimeout()).isNull();
        assertThat(plain.drainPeriod()).isEqualTo(Duration.ofSeconds(5));
        assertThat(code(ManifestParser.parse(with(WITH_DRAIN, "drainTimeout: 2s", "drainTimeout: 0s"), "a.yaml")).drainPeriod())
                .isZero();
    }

    @Test
    void roundTripsThroughTheWriterAndJson() throws Exception {
        ApplicationTypeManifest m = ManifestParser.parse(WITH_DRAIN, "a.yaml");
        String written = ManifestWriter.toYaml(m);
        assertThat(written).contains("drainTimeout: 2s");
        assertThat(ManifestParser.parse(written, "w.yaml")).isEqualTo(m);
        ObjectMapper json = CapstanJson.newMapper();
        assertThat(json.readValue(json.writeValueAsString(m), ApplicationTypeManifest.class)).isEqualTo(m);
        assertThat(json.writeValueAsString(ManifestParser.parse(VALID, "v.yaml"))).doesNotContain("drainTimeout");
    }

    @Test
    void aBadValueNamesTheField() {
        ManifestProblem p = only(with(WITH_DRAIN, "drainTimeout: 2s", "drainTimeout: 5"));
        assertThat(p.field()).isEqualTo("servicePackages[0].codePackages[0].drainTimeout");
        assertThat(p.message()).contains("with a unit").contains("drainTimeout: 5s");
    }
}
