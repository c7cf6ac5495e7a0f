package io.capstan.model.manifest;

import static io.capstan.model.manifest.ManifestFixtures.VALID;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.ActivationMode;
import io.capstan.model.CapstanJson;
import io.capstan.model.PartitionScheme;
import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestParserTest {

    private static final ApplicationTypeManifest EXPECTED = new ApplicationTypeManifest(
            "MyAppType", "1.0.0", Map.of("Greeting", "hello", "Level", "info"),
            List.of(new ServicePackageManifest("MyServicePackage", "1.0.0",
                    List.of(new ServiceTypeManifest("MyServiceType", ServiceKind.STATELESS, "MyCodePackage"),
                            new ServiceTypeManifest("MyStatefulType", ServiceKind.STATEFUL, "MyCodePackage")),
                    List.of(new CodePackageManifest("MyCodePackage", "1.0.0",
                            new ProcessSpec("python3", List.of("server.py", "--greeting", "[Greeting]"),
                                    Map.of("LOG_LEVEL", "[Level]"), "data"),
                            new ResourceRequest(0.25, 128))),
                    List.of(new EndpointManifest("web", "http", null), new EndpointManifest("admin", "tcp", 8081)))),
            List.of(new DefaultServiceManifest("ServiceA", new ServiceSpec("MyServiceType", ServiceKind.STATELESS,
                            ActivationMode.SHARED_PROCESS, new PartitionScheme.UniformInt64Range(0, 99, 2), 3, 0, 0,
                            "NodeType == \"frontend\"")),
                    new DefaultServiceManifest("ServiceB", ServiceSpec.stateful("MyStatefulType", 3, 2,
                            new PartitionScheme.Named(List.of("eu", "us")), ActivationMode.EXCLUSIVE_PROCESS))), null);

    @Test
    void parsesEveryFieldOfAValidManifest() {
        assertThat(ManifestParser.parse(VALID, "capstan-app.yaml")).isEqualTo(EXPECTED);
    }

    @Test
    void theFlowStyleOfTheDesignDocumentParses() {
        String yaml = """
                applicationType: MyAppType
                version: 1.0.0
                parameters: {Greeting: hello}
                servicePackages:
                  - name: MyServicePackage
                    version: 1.0.0
                    serviceTypes:
                      - {name: MyServiceType, kind: stateless, codePackage: MyCodePackage}
                    codePackages:
                      - name: MyCodePackage
                        version: 1.0.0
                        process: {command: python3, args: [server.py, --greeting, "[Greeting]"], env: {LOG_LEVEL: info}}
                        resources: {cpu: 0.25, memoryMiB: 128}
                    endpoints:
                      - {name: web, protocol: http}
                defaultServices:
                  - name: ServiceA
                    serviceType: MyServiceType
                    partitions: {scheme: UniformInt64Range, low: 0, high: 99, count: 2}
                    instanceCount: 3
                """;
        ApplicationTypeManifest m = ManifestParser.parse(yaml, "capstan-app.yaml");
        ServiceSpec spec = m.defaultServices().get(0).spec();
        assertThat(spec.activation()).isEqualTo(ActivationMode.SHARED_PROCESS);
        assertThat(spec.kind()).isEqualTo(ServiceKind.STATELESS);
        assertThat(spec.partitions().partitionKeys()).hasSize(2);
        assertThat(m.servicePackages().get(0).endpoints().get(0).portVariable()).isEqualTo("CAPSTAN_ENDPOINT_WEB_PORT");
    }

    @Test
    void roundTripsThroughTheWriter() {
        String written = ManifestWriter.toYaml(EXPECTED);
        assertThat(ManifestParser.parse(written, "written.yaml")).isEqualTo(EXPECTED);
        assertThat(ManifestWriter.toYaml(ManifestParser.parse(written, "written.yaml"))).isEqualTo(written);
    }

    @Test
    void writerQuotesValuesThatWouldChangeMeaning() {
        ApplicationTypeManifest m = new ApplicationTypeManifest("T", "1.0", Map.of("A", "007", "B", "yes", "C", "null", "D", "", "Greeting", "[x]", "Level", "#1: a"),
                EXPECTED.servicePackages(), List.of(), null);
        String written = ManifestWriter.toYaml(m);
        assertThat(ManifestParser.parse(written, "w").parameters()).isEqualTo(m.parameters());
    }

    @Test
    void roundTripsThroughTheJsonUsedByTheLogAndTheApi() throws Exception {
        ObjectMapper json = CapstanJson.newMapper();
        String text = json.writeValueAsString(EXPECTED);
        assertThat(json.readValue(text, ApplicationTypeManifest.class)).isEqualTo(EXPECTED);
        assertThat(text).doesNotContain("\"container\"");
    }

    @Test
    void containerCodePackagesRoundTripThroughJson() throws Exception {
        CodePackageManifest c = new CodePackageManifest("C", "1.0.0", null, ResourceRequest.NONE,
                new ContainerSpec("image.tar", List.of("--x"), Map.of("K", "v")), null, null);
        ObjectMapper json = CapstanJson.newMapper();
        assertThat(json.readValue(json.writeValueAsString(c), CodePackageManifest.class)).isEqualTo(c);
    }

    @Test
    void positionsOfFieldsAreKeptForLaterChecks() {
        ParsedManifest parsed = ManifestParser.parseWithPositions(VALID, "capstan-app.yaml");
        assertThat(parsed.position("servicePackages[0].codePackages[0].name")).isEqualTo(new SourcePosition(17, 15));
        assertThat(parsed.position("servicePackages[0].codePackages[0].process.command")).isEqualTo(new SourcePosition(20, 20));
        // an unrecorded field falls back to its nearest recorded parent
        assertThat(parsed.position("servicePackages[0].codePackages[0].process.nothing")).isEqualTo(new SourcePosition(19, 9));
        assertThat(parsed.problem("servicePackages[0].name", "x")).hasToString("capstan-app.yaml:7:11: servicePackages[0].name: x");
    }

    @Test
    void problemWithoutPositionOmitsLineAndColumn() {
        assertThat(new ManifestProblem("app.tar.gz", 0, 0, "", "the archive is empty")).hasToString("app.tar.gz: the archive is empty");
    }
}
