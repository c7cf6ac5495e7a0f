package io.capstan.model.manifest;

import static io.capstan.model.manifest.ManifestFixtures.VALID;
import static io.capstan.model.manifest.ManifestFixtures.only;
import static io.capstan.model.manifest.ManifestFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import io.capstan.model.LoadBalancing;
import org.junit.jupiter.api.Test;

/** {@code loadBalancing} on a service type and on a default service: parsed, written, validated, looked up. */
class LoadBalancingManifestTest {

    private static final String ON_TYPE = with(VALID, "    codePackage: MyCodePackage\n      - name: MyStatefulType",
            "    codePackage: MyCodePackage\n        loadBalancing: round-robin\n      - name: MyStatefulType");

    @Test
    void aServiceTypeSaysHowItsServicesAreBalancedAndADefaultServiceMayOverrideIt() {
        ApplicationTypeManifest m = ManifestParser.parse(ON_TYPE, "capstan-app.yaml");
        assertThat(m.serviceType("MyServiceType").orElseThrow().loadBalancing()).isEqualTo(LoadBalancing.ROUND_ROBIN);
        assertThat(m.serviceType("MyStatefulType").orElseThrow().loadBalancing()).isNull();
        assertThat(m.loadBalancingOf("ServiceA", "MyServiceType")).isEqualTo(LoadBalancing.ROUND_ROBIN);
        assertThat(m.loadBalancingOf("Other", "MyServiceType")).isEqualTo(LoadBalancing.ROUND_ROBIN);
        assertThat(m.loadBalancingOf("ServiceB", "MyStatefulType")).isNull();

        String overridden = with(ON_TYPE, "    instanceCount: 3\n", "    instanceCount: 3\n    loadBalancing: Least-Requests\n");
        ApplicationTypeManifest o = ManifestParser.parse(overridden, "capstan-app.yaml");
        assertThat(o.defaultServices().get(0).loadBalancing()).isEqualTo(LoadBalancing.LEAST_REQUESTS);
        assertThat(o.loadBalancingOf("ServiceA", "MyServiceType")).isEqualTo(LoadBalancing.LEAST_REQUESTS);
        // A service created later under another name has only its type's choice.
        assertThat(o.loadBalancingOf("ServiceZ", "MyServiceType")).isEqualTo(LoadBalancing.ROUND_ROBIN);
    }

    @Test
    void roundTripsThroughTheWriterAndTheJsonOfTheLog() throws Exception {
        ApplicationTypeManifest m = ManifestParser.parse(
                with(ON_TYPE, "    instanceCount: 3\n", "    instanceCount: 3\n    loadBalancing: least-requests\n"), "x.yaml");
        String written = ManifestWriter.toYaml(m);
        assertThat(written).contains("loadBalancing: round-robin", "loadBalancing: least-requests");
        assertThat(ManifestParser.parse(written, "w.yaml")).isEqualTo(m);
        ObjectMapper json = CapstanJson.newMapper();
        String text = json.writeValueAsString(m);
        assertThat(text).contains("\"loadBalancing\":\"round-robin\"");
        assertThat(json.readValue(text, ApplicationTypeManifest.class)).isEqualTo(m);
        // A manifest stored before the field existed reads as "says nothing".
        assertThat(json.writeValueAsString(ManifestParser.parse(VALID, "v.yaml"))).doesNotContain("loadBalancing");
    }

    @Test
    void aBadValueIsAProblemNamingTheFieldAndTheChoices() {
        ManifestProblem p = only(with(ON_TYPE, "loadBalancing: round-robin", "loadBalancing: round-robbin"));
        assertThat(p.field()).isEqualTo("servicePackages[0].serviceTypes[0].loadBalancing");
        assertThat(p.message()).contains("'round-robbin' is not a load balancing; use round-robin or least-requests")
                .contains("did you mean 'round-robin'?");
        ManifestProblem d = only(with(VALID, "    instanceCount: 3\n", "    instanceCount: 3\n    loadBalancing: random\n"));
        assertThat(d.field()).isEqualTo("defaultServices[0].loadBalancing");
    }
}
