package io.capstan.model.manifest;

import static io.capstan.model.manifest.ManifestFixtures.VALID;
import static io.capstan.model.manifest.ManifestFixtures.WITH_PROBES;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.ActivationMode;
import io.capstan.model.CapstanJson;
import io.capstan.model.PartitionScheme;
import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceSpec;
import io.capstan.model.health.ApplicationHealthPolicy;
import java.time.Duration;
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

    private static final CodePackageProbes EXPECTED_PROBES = new CodePackageProbes(
            new ProbeSpec(ProbeSpec.Kind.http, "web", "/healthz", 200, null, null, Duration.ofSeconds(1), null, 30, 0),
            new ProbeSpec(ProbeSpec.Kind.tcp, "admin", null, null, null, Duration.ofSeconds(2), Duration.ofSeconds(5),
                    Duration.ofSeconds(1), 3, 0),
            new ProbeSpec(ProbeSpec.Kind.exec, null, null, null, List.of("./ready.sh", "--strict", "[Level]"), null,
                    Duration.ofSeconds(2), null, 0, 2));
    private static final RestartPolicy EXPECTED_RESTART_POLICY =
            new RestartPolicy(Duration.ofMillis(500), Duration.ofMinutes(2), Duration.ofSeconds(30), 4);
    private static final ApplicationHealthPolicy EXPECTED_HEALTH_POLICY = new ApplicationHealthPolicy(true, 10, 20, 30, 100);

    /** EXPECTED with WITH_PROBES' probes, restart policy and health policy. */
    private static final ApplicationTypeManifest EXPECTED_WITH_PROBES = withProbes(EXPECTED);

    private static ApplicationTypeManifest withProbes(ApplicationTypeManifest m) {
        ServicePackageManifest sp = m.servicePackages().get(0);
        CodePackageManifest c = sp.codePackages().get(0);
        CodePackageManifest probed = new CodePackageManifest(c.name(), c.version(), c.run(), c.resources(),
                EXPECTED_PROBES, EXPECTED_RESTART_POLICY);
        return new ApplicationTypeManifest(m.applicationType(), m.version(), m.parameters(),
                List.of(new ServicePackageManifest(sp.name(), sp.version(), sp.serviceTypes(), List.of(probed), sp.endpoints())),
                m.defaultServices(), EXPECTED_HEALTH_POLICY);
    }

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
    void parsesEveryFieldOfProbesRestartPolicyAndHealthPolicy() {
        ApplicationTypeManifest m = ManifestParser.parse(WITH_PROBES, "capstan-app.yaml");
        assertThat(m).isEqualTo(EXPECTED_WITH_PROBES);
        CodePackageProbes probes = m.servicePackages().get(0).codePackages().get(0).probes();
        assertThat(probes.startup().kind()).isEqualTo(ProbeSpec.Kind.http);
        assertThat(probes.startup().endpoint()).isEqualTo("web");
        assertThat(probes.startup().path()).isEqualTo("/healthz");
        assertThat(probes.startup().expectedStatus()).isEqualTo(200);
        assertThat(probes.startup().period()).isEqualTo(Duration.ofSeconds(1));
        assertThat(probes.startup().failureThreshold()).isEqualTo(30);
        assertThat(probes.liveness().kind()).isEqualTo(ProbeSpec.Kind.tcp);
        assertThat(probes.liveness().endpoint()).isEqualTo("admin");
        assertThat(probes.liveness().initialDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(probes.liveness().timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(probes.liveness().period()).isEqualTo(Duration.ofSeconds(5));
        assertThat(probes.readiness().kind()).isEqualTo(ProbeSpec.Kind.exec);
        assertThat(probes.readiness().command()).containsExactly("./ready.sh", "--strict", "[Level]");
        assertThat(probes.readiness().successThreshold()).isEqualTo(2);
        assertThat(m.servicePackages().get(0).codePackages().get(0).restartPolicy()).isEqualTo(EXPECTED_RESTART_POLICY);
        assertThat(m.healthPolicy()).isEqualTo(EXPECTED_HEALTH_POLICY);
    }

    @Test
    void probeRestartAndHealthDefaults() {
        ApplicationTypeManifest plain = ManifestParser.parse(VALID, "capstan-app.yaml");
        CodePackageManifest c = plain.servicePackages().get(0).codePackages().get(0);
        assertThat(c.probes()).isEqualTo(CodePackageProbes.NONE);
        assertThat(c.restartPolicy()).isEqualTo(RestartPolicy.DEFAULT);
        assertThat(plain.healthPolicy()).isEqualTo(ApplicationHealthPolicy.DEFAULT);

        String minimal = ManifestFixtures.with(VALID, "    endpoints:\n", """
                        probes:
                          liveness: {http: {endpoint: web}}
                        restartPolicy: {initialDelay: 2m}
                    endpoints:
                """);
        CodePackageManifest m = ManifestParser.parse(minimal + "healthPolicy: {maxPercentUnhealthyServices: 5}\n", "x")
                .servicePackages().get(0).codePackages().get(0);
        ProbeSpec liveness = m.probes().liveness();
        assertThat(liveness).isEqualTo(new ProbeSpec(ProbeSpec.Kind.http, "web", "/", null, List.of(), Duration.ZERO,
                Duration.ofSeconds(5), Duration.ofSeconds(1), 3, 1));
        assertThat(m.probes().startup()).isNull();
        assertThat(m.probes().readiness()).isNull();
        // a maxDelay left out is never below the initialDelay given
        assertThat(m.restartPolicy()).isEqualTo(new RestartPolicy(Duration.ofMinutes(2), Duration.ofMinutes(2),
                Duration.ofSeconds(60), 5));
        assertThat(ManifestParser.parse(minimal + "healthPolicy: {maxPercentUnhealthyServices: 5}\n", "x").healthPolicy())
                .isEqualTo(new ApplicationHealthPolicy(false, 0, 5, 0, 0));
    }

    @Test
    void probesRestartAndHealthPoliciesRoundTripThroughTheWriter() {
        String written = ManifestWriter.toYaml(EXPECTED_WITH_PROBES);
        assertThat(ManifestParser.parse(written, "written.yaml")).isEqualTo(EXPECTED_WITH_PROBES);
        assertThat(ManifestWriter.toYaml(ManifestParser.parse(written, "written.yaml"))).isEqualTo(written);
        assertThat(written).contains("healthPolicy:", "restartPolicy:", "liveness:", "initialDelay: 500ms", "resetAfter: 30s");
        assertThat(ManifestWriter.toYaml(EXPECTED)).doesNotContain("probes", "restartPolicy", "healthPolicy");
    }

    @Test
    void probesRestartAndHealthPoliciesRoundTripThroughJson() throws Exception {
        ObjectMapper json = CapstanJson.newMapper();
        String text = json.writeValueAsString(EXPECTED_WITH_PROBES);
        assertThat(json.readValue(text, ApplicationTypeManifest.class)).isEqualTo(EXPECTED_WITH_PROBES);
        // A record written before probes existed reads with the defaults.
        String old = json.writeValueAsString(EXPECTED).replaceAll(",\"(probes|restartPolicy|healthPolicy)\":\\{[^{}]*}", "");
        assertThat(old).doesNotContain("restartPolicy", "healthPolicy");
        assertThat(json.readValue(old, ApplicationTypeManifest.class)).isEqualTo(EXPECTED);
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
        CodePackageManifest c = new CodePackageManifest("C", "1.0.0",
                new ContainerSpec("image.tar", List.of("--x"), Map.of("K", "v")), ResourceRequest.NONE, null, null);
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
