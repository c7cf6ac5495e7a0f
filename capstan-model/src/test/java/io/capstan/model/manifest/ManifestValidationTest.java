package io.capstan.model.manifest;

import static io.capstan.model.manifest.ManifestFixtures.VALID;
import static io.capstan.model.manifest.ManifestFixtures.WITH_PROBES;
import static io.capstan.model.manifest.ManifestFixtures.about;
import static io.capstan.model.manifest.ManifestFixtures.columnOf;
import static io.capstan.model.manifest.ManifestFixtures.lineOf;
import static io.capstan.model.manifest.ManifestFixtures.only;
import static io.capstan.model.manifest.ManifestFixtures.problems;
import static io.capstan.model.manifest.ManifestFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.PartitionScheme;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every validation rule: its message, the field path, and the real line it points at. */
class ManifestValidationTest {

    private static final String CODE = "servicePackages[0].codePackages[0]";
    private static final String PROCESS = CODE + ".process";
    /** Lines 19-24 of VALID: the whole process mapping. */
    private static final String PROCESS_BLOCK =
            VALID.substring(VALID.indexOf("        process:"), VALID.indexOf("        resources:"));

    @Test
    void missingCommandPointsAtTheProcessMappingWithTheFix() {
        String yaml = with("          command: python3\n", "");
        ManifestProblem p = only(yaml);
        assertThat(p.field()).isEqualTo(PROCESS + ".command");
        assertThat(p.line()).isEqualTo(19);
        assertThat(p.column()).isEqualTo(9);
        assertThat(p.message()).isEqualTo("is missing; give the program to run, e.g. command: python3");
        assertThat(p).hasToString("capstan-app.yaml:19:9: servicePackages[0].codePackages[0].process.command:"
                + " is missing; give the program to run, e.g. command: python3");
    }

    @Test
    void allProblemsAreReportedAtOnceInFileOrder() {
        String yaml = with(VALID, "applicationType: MyAppType", "applicationType: 1Bad");
        yaml = with(yaml, "kind: stateless", "kind: stateles");
        yaml = with(yaml, "          command: python3\n", "");
        yaml = with(yaml, "protocol: http", "protocol: udp");
        yaml = with(yaml, "count: 2", "count: 0");
        List<ManifestProblem> problems = problems(yaml);
        assertThat(problems).extracting(ManifestProblem::field).containsExactly(
                "applicationType",
                "servicePackages[0].serviceTypes[0].kind",
                PROCESS + ".command",
                "servicePackages[0].endpoints[0].protocol",
                "defaultServices[0].partitions.count");
        assertThat(problems).extracting(ManifestProblem::line).isSorted();
        ManifestException e = new ManifestException(problems);
        assertThat(e.getMessage()).startsWith("5 problems in application package:\n  capstan-app.yaml:1:18: applicationType:");
    }

    @Nested
    class Syntax {
        @Test
        void malformedYamlReportsTheParsersLineAndColumn() {
            String yaml = """
                    applicationType: MyAppType
                    version: 1.0.0
                    servicePackages:
                      - name: MyServicePackage
                       version: 1.0.0
                    """;
            ManifestProblem p = only(yaml);
            assertThat(p.line()).isEqualTo(5);
            assertThat(p.column()).isEqualTo(4);
            assertThat(p.field()).isEmpty();
            assertThat(p.message()).startsWith("is not valid YAML: while parsing a block collection (started on line 4),")
                    .contains("check the indentation");
        }

        @Test
        void unclosedFlowListNamesWhereItStarted() {
            String yaml = "applicationType: A\nversion: 1.0.0\nparameters: {a: [1, 2\nservicePackages: []\n";
            ManifestProblem p = only(yaml);
            assertThat(p.line()).isEqualTo(4);
            assertThat(p.message()).contains("while parsing a flow sequence").contains("started on line 3");
        }

        @Test
        void emptyFileSaysHowToStart() {
            ManifestProblem p = only("# nothing yet\n");
            assertThat(p.message()).isEqualTo("is empty; start it with applicationType: MyAppType and version: 1.0.0");
        }

        @Test
        void topLevelMustBeAMapping() {
            ManifestProblem p = only("- a\n- b\n");
            assertThat(p.message()).startsWith("must be a mapping with applicationType, version and servicePackages, not a list");
            assertThat(p.line()).isEqualTo(1);
        }

        @Test
        void duplicateKeysAreReportedWithTheFirstLine() {
            String yaml = with("version: 1.0.0\nparameters:", "version: 1.0.0\nversion: 2.0.0\nparameters:");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("version");
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.message()).isEqualTo("is given twice (first on line 2); keep only one");
        }

        @Test
        void aliasesAreRejected() {
            String yaml = with("  Greeting: hello\n  Level: info", "  Greeting: &g hello\n  Level: *g");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("parameters.Level");
            assertThat(p.line()).isEqualTo(5);
            assertThat(p.message()).contains("uses the YAML alias *g");
        }

        @Test
        void aSecondDocumentIsRejected() {
            ManifestProblem p = only(VALID + "---\nfoo: bar\n");
            assertThat(p.line()).isEqualTo(lineOf(VALID + "---\n", "---") + 1);
            assertThat(p.message()).contains("second YAML document");
        }
    }

    @Nested
    class UnknownFields {
        @Test
        void typoIsNamedWithTheClosestKnownField() {
            String yaml = with("command: python3", "comand: python3");
            List<ManifestProblem> problems = problems(yaml);
            ManifestProblem typo = about(problems, PROCESS + ".comand");
            assertThat(typo.line()).isEqualTo(lineOf(yaml, "comand:"));
            assertThat(typo.column()).isEqualTo(columnOf(yaml, "comand:"));
            assertThat(typo.message()).isEqualTo("unknown field 'comand'; did you mean 'command'? fields here: command, args, env, workingDir");
            assertThat(about(problems, PROCESS + ".command").message()).startsWith("is missing");
        }

        @Test
        void unrelatedFieldListsTheKnownOnes() {
            String yaml = with("version: 1.0.0\nparameters:", "version: 1.0.0\nowner: team-a\nparameters:");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("owner");
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.message()).isEqualTo("unknown field 'owner'; fields here: applicationType, version, parameters,"
                    + " servicePackages, defaultServices, healthPolicy");
        }

        @Test
        void habitualNamesFromOtherSystemsGetOurs() {
            String yaml = with("instanceCount: 3", "instances: 3");
            ManifestProblem p = about(problems(yaml), "defaultServices[0].instances");
            assertThat(p.message()).startsWith("unknown field 'instances'; did you mean 'instanceCount'?");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "instances: 3"));
        }
    }

    @Nested
    class TypesAndRequiredFields {
        @Test
        void missingApplicationType() {
            ManifestProblem p = only(with("applicationType: MyAppType\n", ""));
            assertThat(p.field()).isEqualTo("applicationType");
            assertThat(p.line()).isEqualTo(1);
            assertThat(p.message()).isEqualTo("is missing; give the application type a name, e.g. applicationType: MyAppType");
        }

        @Test
        void emptyValueIsReportedAtItsKey() {
            String yaml = with("        codePackage: MyCodePackage\n      - name: MyStatefulType", "        codePackage:\n      - name: MyStatefulType");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("servicePackages[0].serviceTypes[0].codePackage");
            assertThat(p.line()).isEqualTo(12);
            assertThat(p.message()).startsWith("is empty; name the code package that hosts it, e.g. codePackage: MyCodePackage");
        }

        @Test
        void argsMustBeAList() {
            String yaml = with("args: [server.py, --greeting, \"[Greeting]\"]", "args: server.py");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(PROCESS + ".args");
            assertThat(p.line()).isEqualTo(21);
            assertThat(p.message()).isEqualTo("must be a list, not the text 'server.py'; e.g. args: [server.py, --port, '8080']");
        }

        @Test
        void countsMustBeWholeNumbers() {
            String yaml = with("instanceCount: 3", "instanceCount: three");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("defaultServices[0].instanceCount");
            assertThat(p.message()).startsWith("must be a whole number, not the text 'three'");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "instanceCount: three"));
        }

        @Test
        void aNestedMappingWhereAValueBelongs() {
            String yaml = with("command: python3", "command: {path: python3}");
            ManifestProblem p = only(yaml);
            assertThat(p.message()).startsWith("must be a single value, not a mapping");
        }

        @Test
        void servicePackagesMustNotBeEmpty() {
            String yaml = "applicationType: A\nversion: 1.0.0\nservicePackages: []\n";
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("servicePackages");
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.message()).startsWith("is empty; an application type needs at least one service package");
        }

        @Test
        void aServicePackageNeedsServiceTypesAndCodePackages() {
            String yaml = """
                    applicationType: A
                    version: 1.0.0
                    servicePackages:
                      - name: P
                        version: 1.0.0
                    """;
            List<ManifestProblem> problems = problems(yaml);
            assertThat(about(problems, "servicePackages[0].codePackages").message())
                    .startsWith("is missing; a service package needs at least one code package");
            assertThat(about(problems, "servicePackages[0].serviceTypes").message())
                    .startsWith("is missing; a service package registers at least one service type");
            assertThat(problems).extracting(ManifestProblem::line).containsOnly(4);
        }
    }

    @Nested
    class NamesAndVersions {
        @Test
        void invalidName() {
            String yaml = with("- name: MyServicePackage", "- name: 9Lives");
            ManifestProblem p = about(problems(yaml), "servicePackages[0].name");
            assertThat(p.line()).isEqualTo(7);
            assertThat(p.column()).isEqualTo(11);
            assertThat(p.message()).isEqualTo("service package name '9Lives' is not a valid name: start with a letter,"
                    + " then up to 62 letters, digits, '_', '.' or '-' (e.g. MyServicePackage)");
        }

        @ParameterizedTest
        @ValueSource(strings = {"1.0 beta", "v1/2", "-1"})
        void invalidVersion(String version) {
            String yaml = with("version: 1.0.0", "version: '" + version + "'");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("version");
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.message()).startsWith("'" + version + "' is not a valid version;");
        }

        @Test
        void emptyVersion() {
            String yaml = with("    version: 1.0.0\n    serviceTypes", "    version: ''\n    serviceTypes");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("servicePackages[0].version");
            assertThat(p.line()).isEqualTo(8);
            assertThat(p.message()).isEqualTo("is empty; give a version, e.g. version: 1.0.0");
        }

        @Test
        void numericVersionIsAcceptedAsWritten() {
            ApplicationTypeManifest m = ManifestParser.parse(with("version: 1.0.0", "version: 1.10"), "x");
            assertThat(m.version()).isEqualTo("1.10");
        }
    }

    @Nested
    class Uniqueness {
        private static final String SECOND_PACKAGE = """
                  - name: %s
                    version: 1.0.0
                    serviceTypes:
                      - {name: %s, kind: stateless, codePackage: Code2}
                    codePackages:
                      - name: Code2
                        version: 1.0.0
                        process: {command: /bin/true}
                defaultServices:
                """;

        private String withSecondPackage(String name, String type) {
            return with("defaultServices:\n", SECOND_PACKAGE.formatted(name, type));
        }

        @Test
        void servicePackageNamesAreUnique() {
            String yaml = withSecondPackage("MyServicePackage", "OtherType");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("servicePackages[1].name");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "  - name: MyServicePackage\n    version: 1.0.0\n    serviceTypes:\n      - {name: Other") );
            assertThat(p.message()).isEqualTo("service package 'MyServicePackage' is declared twice (also servicePackages[0]"
                    + " on line 7); service package names must be unique");
        }

        @Test
        void serviceTypeNamesAreUniqueAcrossTheApplicationType() {
            String yaml = withSecondPackage("OtherPackage", "MyServiceType");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("servicePackages[1].serviceTypes[0].name");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "{name: MyServiceType"));
            assertThat(p.message()).isEqualTo("service type 'MyServiceType' is already declared (servicePackages[0].serviceTypes[0]"
                    + " on line 10); service type names must be unique across the application type");
        }

        @Test
        void codePackageNamesAreUniqueWithinAPackage() {
            String yaml = with("    endpoints:",
                    "      - name: MyCodePackage\n        version: 2.0.0\n        process: {command: /bin/true}\n    endpoints:");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("servicePackages[0].codePackages[1].name");
            assertThat(p.line()).isEqualTo(28);
            assertThat(p.message()).isEqualTo("code package 'MyCodePackage' is declared twice in service package 'MyServicePackage'"
                    + " (also servicePackages[0].codePackages[0] on line 17); code package names must be unique within a service package");
        }

        @Test
        void endpointNamesAreUniqueWithinAPackage() {
            String yaml = with("      - name: admin", "      - name: web");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("servicePackages[0].endpoints[1].name");
            assertThat(p.line()).isEqualTo(31);
            assertThat(p.message()).startsWith("endpoint 'web' is declared twice in service package 'MyServicePackage'"
                    + " (also servicePackages[0].endpoints[0] on line 29");
        }

        @Test
        void defaultServiceNamesAreUnique() {
            String yaml = with("  - name: ServiceB", "  - name: ServiceA");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("defaultServices[1].name");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "  - name: ServiceA\n    serviceType: MyStatefulType"));
            assertThat(p.message()).isEqualTo("default service 'ServiceA' is declared twice (also defaultServices[0] on line 35);"
                    + " default service names must be unique");
        }
    }

    @Nested
    class ServiceTypesAndCode {
        @Test
        void serviceTypeCodePackageMustExistInItsPackage() {
            String yaml = with("codePackage: MyCodePackage", "codePackage: MyCodePackag");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("servicePackages[0].serviceTypes[0].codePackage");
            assertThat(p.line()).isEqualTo(12);
            assertThat(p.message()).isEqualTo("names code package 'MyCodePackag', which service package 'MyServicePackage'"
                    + " does not declare; did you mean 'MyCodePackage'? (declared: MyCodePackage)");
        }

        @Test
        void codePackageMayBeLeftOutWhenThePackageHasOnlyOne() {
            String yaml = with("        codePackage: MyCodePackage\n      - name: MyStatefulType", "      - name: MyStatefulType");
            ApplicationTypeManifest m = ManifestParser.parse(yaml, "x");
            assertThat(m.serviceType("MyServiceType").orElseThrow().codePackage()).isEqualTo("MyCodePackage");
        }

        @Test
        void kindIsStatelessOrStateful() {
            String yaml = with("kind: stateful", "kind: statefull");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("servicePackages[0].serviceTypes[1].kind");
            assertThat(p.line()).isEqualTo(14);
            assertThat(p.message()).isEqualTo("'statefull' is not a service kind; use stateless or stateful (did you mean 'stateful'?)");
        }

        @Test
        void processOrContainerIsRequired() {
            String yaml = with(PROCESS_BLOCK, "");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(PROCESS);
            assertThat(p.line()).isEqualTo(17);
            assertThat(p.message()).startsWith("is missing; say what to run, e.g. process: {command: python3");
        }

        @Test
        void processAndContainerTogetherAreRejected() {
            String yaml = with("        resources:", "        container: {image: image.tar}\n        resources:");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(CODE + ".container");
            assertThat(p.line()).isEqualTo(25);
            assertThat(p.message()).isEqualTo("a code package runs either a process or a container, not both; remove process: or container:");
        }

        @Test
        void containerCodePackageParses() {
            String yaml = with(PROCESS_BLOCK,
                    "        container:\n          image: images/app.tar\n          args: [--greeting, \"[Greeting]\"]\n");
            CodePackageManifest c = ManifestParser.parse(yaml, "x").servicePackages().get(0).codePackages().get(0);
            assertThat(c.run()).isEqualTo(new ContainerSpec("images/app.tar", List.of("--greeting", "[Greeting]"), null));
        }

        @Test
        void aContainerNetworkIsHostOrPrivate() {
            String yaml = with(PROCESS_BLOCK, "        container: {image: image.tar, network: private}\n");
            CodePackageManifest c = ManifestParser.parse(yaml, "x").servicePackages().get(0).codePackages().get(0);
            assertThat(c.run()).isEqualTo(new ContainerSpec("image.tar", List.of(), null, ContainerSpec.PRIVATE));
            ManifestProblem p = only(with(PROCESS_BLOCK, "        container: {image: image.tar, network: bridge}\n"));
            assertThat(p.field()).isEqualTo(CODE + ".container.network");
            assertThat(p.message()).startsWith("'bridge' is not a network: use host (the host's network, the default) or private");
            String mapped = with(PROCESS_BLOCK, "        container: {image: image.tar, userNamespace: true}\n");
            assertThat(ManifestParser.parse(mapped, "x").servicePackages().get(0).codePackages().get(0).run())
                    .isEqualTo(new ContainerSpec("image.tar", List.of(), null, ContainerSpec.HOST, true));
            ManifestProblem q = only(with(PROCESS_BLOCK, "        container: {image: image.tar, userNamespace: yes please}\n"));
            assertThat(q.field()).isEqualTo(CODE + ".container.userNamespace");
            assertThat(q.message()).startsWith("must be true or false");
        }

        @Test
        void relativeCommandMayNotLeaveTheCodePackage() {
            String yaml = with("command: python3", "command: ../Other/run.sh");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(PROCESS + ".command");
            assertThat(p.line()).isEqualTo(20);
            assertThat(p.message()).startsWith("'../Other/run.sh' leaves the code package folder through '..'");
        }

        @Test
        void workingDirIsRelativeAndInside() {
            List<ManifestProblem> abs = problems(with("workingDir: data", "workingDir: /var/data"));
            assertThat(about(abs, PROCESS + ".workingDir").message())
                    .isEqualTo("'/var/data' is absolute; workingDir is relative to the code package folder, e.g. workingDir: data");
            assertThat(about(abs, PROCESS + ".workingDir").line()).isEqualTo(24);
            List<ManifestProblem> up = problems(with("workingDir: data", "workingDir: data/../../x"));
            assertThat(about(up, PROCESS + ".workingDir").message()).startsWith("'data/../../x' leaves the code package folder");
        }

        @Test
        void envNamesMustBeValidAndNotCapstans() {
            String yaml = with("            LOG_LEVEL: \"[Level]\"", "            LOG-LEVEL: x\n            CAPSTAN_NODE_NAME: y");
            List<ManifestProblem> problems = problems(yaml);
            ManifestProblem bad = about(problems, PROCESS + ".env.LOG-LEVEL");
            assertThat(bad.line()).isEqualTo(23);
            assertThat(bad.message()).startsWith("'LOG-LEVEL' is not a valid environment variable name");
            ManifestProblem reserved = about(problems, PROCESS + ".env.CAPSTAN_NODE_NAME");
            assertThat(reserved.line()).isEqualTo(24);
            assertThat(reserved.message()).startsWith("variables starting with CAPSTAN_ are set by Capstan");
        }
    }

    @Nested
    class EndpointsAndResources {
        @Test
        void protocolIsHttpHttpsOrTcp() {
            String yaml = with("protocol: http", "protocol: udp");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("servicePackages[0].endpoints[0].protocol");
            assertThat(p.line()).isEqualTo(30);
            assertThat(p.column()).isEqualTo(19);
            assertThat(p.message()).isEqualTo("'udp' is not a supported protocol; use http, https or tcp");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "65536", "-80"})
        void portIsInRange(String port) {
            String yaml = with("port: 8081", "port: " + port);
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("servicePackages[0].endpoints[1].port");
            assertThat(p.line()).isEqualTo(33);
            assertThat(p.message()).isEqualTo(port + " is not a valid port; use 1..65535, or leave port out to get one allocated");
        }

        @Test
        void protocolDefaultsToTcpAndPortIsOptional() {
            String yaml = with("        protocol: http\n", "");
            EndpointManifest web = ManifestParser.parse(yaml, "x").servicePackages().get(0).endpoints().get(0);
            assertThat(web).isEqualTo(new EndpointManifest("web", "tcp", null));
        }

        @Test
        void resourcesAreNotNegative() {
            String yaml = with("cpu: 0.25", "cpu: -0.5");
            yaml = with(yaml, "memoryMiB: 128", "memoryMiB: -1");
            List<ManifestProblem> problems = problems(yaml);
            assertThat(problems).hasSize(2);
            ManifestProblem cpu = about(problems, CODE + ".resources.cpu");
            assertThat(cpu.line()).isEqualTo(26);
            assertThat(cpu.message()).isEqualTo("-0.5 is negative; cpu is in cores and must be 0 or more, e.g. cpu: 0.25");
            ManifestProblem mem = about(problems, CODE + ".resources.memoryMiB");
            assertThat(mem.line()).isEqualTo(27);
            assertThat(mem.message()).isEqualTo("-1 is negative; memoryMiB must be 0 or more, e.g. memoryMiB: 128");
        }

        @Test
        void cpuMustBeFinite() {
            ManifestProblem p = only(with("cpu: 0.25", "cpu: .inf"));
            assertThat(p.message()).startsWith("must be a finite number");
        }
    }

    @Nested
    class Parameters {
        @Test
        void undeclaredReferenceInArgsSuggestsTheDeclaredOne() {
            String yaml = with("\"[Greeting]\"", "\"[Greting]\"");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(PROCESS + ".args[2]");
            assertThat(p.line()).isEqualTo(21);
            assertThat(p.message()).isEqualTo("refers to parameter [Greting], which MyAppType does not declare;"
                    + " did you mean [Greeting]? (declared: Greeting, Level); declare it under parameters:,"
                    + " e.g. parameters: {Greting: value}");
        }

        @Test
        void undeclaredReferencesInCommandEnvAndWorkingDir() {
            String yaml = with("command: python3", "command: \"[Python]\"");
            yaml = with(yaml, "LOG_LEVEL: \"[Level]\"", "LOG_LEVEL: \"[Verbosity]\"");
            yaml = with(yaml, "workingDir: data", "workingDir: \"[DataDir]/x\"");
            List<ManifestProblem> problems = problems(yaml);
            assertThat(problems).extracting(ManifestProblem::field).containsExactly(
                    PROCESS + ".command", PROCESS + ".env.LOG_LEVEL", PROCESS + ".workingDir");
            assertThat(problems).extracting(ManifestProblem::line).containsExactly(20, 23, 24);
            assertThat(problems.get(1).message()).isEqualTo("refers to parameter [Verbosity], which MyAppType does not declare"
                    + " (declared: Greeting, Level); declare it under parameters:, e.g. parameters: {Verbosity: value}");
        }

        @Test
        void bracketsThatAreNotNamesAreLeftAlone() {
            ApplicationTypeManifest m = ManifestParser.parse(with("--greeting,", "'[1,2]', --greeting,"), "x");
            assertThat(m.servicePackages().get(0).codePackages().get(0).run())
                    .isInstanceOfSatisfying(ProcessSpec.class, p -> assertThat(p.args()).contains("[1,2]"));
        }

        @Test
        void parameterNamesMustBeValid() {
            String yaml = with("  Level: info", "  Log Level: info");
            List<ManifestProblem> problems = problems(yaml);
            ManifestProblem p = about(problems, "parameters.Log Level");
            assertThat(p.line()).isEqualTo(5);
            assertThat(p.message()).startsWith("parameter 'Log Level' is not a valid name");
        }

        @Test
        void parameterDefaultsMustBeSingleValues() {
            ManifestProblem p = only(with("  Level: info", "  Level: [a, b]\n  Other: x").replace("[Level]", "[Other]"));
            assertThat(p.field()).isEqualTo("parameters.Level");
            assertThat(p.message()).startsWith("a parameter's default must be a single value, not a list");
        }
    }

    @Nested
    class DefaultServices {
        @Test
        void serviceTypeMustExist() {
            String yaml = with("serviceType: MyServiceType", "serviceType: MyServicType");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("defaultServices[0].serviceType");
            assertThat(p.line()).isEqualTo(36);
            assertThat(p.message()).isEqualTo("names service type 'MyServicType', which no service package of this application"
                    + " type declares; did you mean 'MyServiceType'? (declared: MyServiceType, MyStatefulType)");
        }

        @Test
        void activationIsSharedOrExclusive() {
            String yaml = with("activation: SharedProcess", "activation: Shared-Process");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("defaultServices[0].activation");
            assertThat(p.line()).isEqualTo(37);
            assertThat(p.message()).startsWith("'Shared-Process' is not an activation mode; use SharedProcess");
        }

        @Test
        void exclusiveProcessWithAPackageOfSeveralServiceTypesIsAllowed() {
            ApplicationTypeManifest m = ManifestParser.parse(VALID, "x");
            assertThat(m.servicePackage("MyServicePackage").orElseThrow().serviceTypes()).hasSize(2);
            assertThat(m.defaultServices().get(1).spec().activation().wireName()).isEqualTo("ExclusiveProcess");
        }

        @Test
        void statelessNeedsAPositiveInstanceCountOrMinusOne() {
            for (String bad : List.of("0", "-2")) {
                String yaml = with("instanceCount: 3", "instanceCount: " + bad);
                ManifestProblem p = only(yaml);
                assertThat(p.field()).isEqualTo("defaultServices[0].instanceCount");
                assertThat(p.line()).isEqualTo(43);
                assertThat(p.message()).isEqualTo(bad + " is not a valid instanceCount; use 1 or more, or -1 for one instance on every node");
            }
            ApplicationTypeManifest every = ManifestParser.parse(with("instanceCount: 3", "instanceCount: -1"), "x");
            assertThat(every.defaultServices().get(0).spec().instanceCount()).isEqualTo(-1);
        }

        @Test
        void statelessWithoutInstanceCount() {
            String yaml = with("    instanceCount: 3\n", "");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("defaultServices[0].instanceCount");
            assertThat(p.line()).isEqualTo(35);
            assertThat(p.message()).startsWith("is missing; a stateless service needs instanceCount: N");
        }

        @Test
        void statelessMustNotSetReplicaSetSizes() {
            String yaml = with("    instanceCount: 3\n", "    instanceCount: 3\n    targetReplicaSetSize: 3\n");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("defaultServices[0].targetReplicaSetSize");
            assertThat(p.line()).isEqualTo(44);
            assertThat(p.message()).isEqualTo("applies to stateful services only; service type 'MyServiceType' is stateless,"
                    + " so give instanceCount instead");
        }

        @Test
        void statefulMustNotSetInstanceCount() {
            String yaml = with("    minReplicaSetSize: 2\n", "    minReplicaSetSize: 2\n    instanceCount: 2\n");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("defaultServices[1].instanceCount");
            assertThat(p.line()).isEqualTo(53);
            assertThat(p.message()).startsWith("applies to stateless services only; service type 'MyStatefulType' is stateful");
        }

        @Test
        void statefulNeedsATargetOfAtLeastOne() {
            String yaml = with("targetReplicaSetSize: 3", "targetReplicaSetSize: 0");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("defaultServices[1].targetReplicaSetSize");
            assertThat(p.line()).isEqualTo(51);
            assertThat(p.message()).isEqualTo("0 is not a valid targetReplicaSetSize; use 1 or more (3 is usual)");

            ManifestProblem missing = only(with("    targetReplicaSetSize: 3\n", ""));
            assertThat(missing.field()).isEqualTo("defaultServices[1].targetReplicaSetSize");
            assertThat(missing.line()).isEqualTo(45);
            assertThat(missing.message()).startsWith("is missing; a stateful service needs targetReplicaSetSize: N");
        }

        @Test
        void minReplicaSetSizeIsBetweenOneAndTarget() {
            ManifestProblem tooBig = only(with("minReplicaSetSize: 2", "minReplicaSetSize: 4"));
            assertThat(tooBig.field()).isEqualTo("defaultServices[1].minReplicaSetSize");
            assertThat(tooBig.line()).isEqualTo(52);
            assertThat(tooBig.message()).isEqualTo("minReplicaSetSize 4 is more than targetReplicaSetSize 3; use 1..3");
            ManifestProblem zero = only(with("minReplicaSetSize: 2", "minReplicaSetSize: 0"));
            assertThat(zero.message()).isEqualTo("0 is not a valid minReplicaSetSize; use 1 up to targetReplicaSetSize");
        }

        @Test
        void minReplicaSetSizeDefaultsToTarget() {
            ApplicationTypeManifest m = ManifestParser.parse(with("    minReplicaSetSize: 2\n", ""), "x");
            assertThat(m.defaultServices().get(1).spec().minReplicaSetSize()).isEqualTo(3);
        }
    }

    @Nested
    class Partitions {
        private static final String RANGE = "      scheme: UniformInt64Range\n      low: 0\n      high: 99\n      count: 2\n";

        private String range(long low, long high, long count) {
            return with(RANGE, "      scheme: UniformInt64Range\n      low: " + low + "\n      high: " + high + "\n      count: " + count + "\n");
        }

        @Test
        void countIsAtLeastOne() {
            ManifestProblem p = only(range(0, 99, 0));
            assertThat(p.field()).isEqualTo("defaultServices[0].partitions.count");
            assertThat(p.line()).isEqualTo(42);
            assertThat(p.message()).isEqualTo("0 is not a valid partition count; count must be at least 1");
        }

        @Test
        void lowIsAtMostHigh() {
            ManifestProblem p = only(range(10, 5, 1));
            assertThat(p.field()).isEqualTo("defaultServices[0].partitions.low");
            assertThat(p.line()).isEqualTo(40);
            assertThat(p.message()).isEqualTo("low (10) is greater than high (5); low must be <= high");
        }

        @Test
        void countIsAtMostTheNumberOfKeys() {
            ManifestProblem p = only(range(0, 4, 6));
            assertThat(p.field()).isEqualTo("defaultServices[0].partitions.count");
            assertThat(p.line()).isEqualTo(42);
            assertThat(p.message()).isEqualTo("count 6 is more than the 5 keys in 0..4; every partition needs at least one key,"
                    + " so use count <= 5");
        }

        @Test
        void theWholeInt64RangeIsAccepted() {
            ApplicationTypeManifest m = ManifestParser.parse(range(Long.MIN_VALUE, Long.MAX_VALUE, 3), "x");
            assertThat(m.defaultServices().get(0).spec().partitions())
                    .isEqualTo(new PartitionScheme.UniformInt64Range(Long.MIN_VALUE, Long.MAX_VALUE, 3));
            ManifestProblem p = only(with(RANGE, RANGE.replace("high: 99", "high: 9223372036854775808")));
            assertThat(p.message()).startsWith("9223372036854775808 is outside the Int64 range");
        }

        @Test
        void rangeNeedsLowHighAndCount() {
            ManifestProblem p = only(with("      count: 2\n", ""));
            assertThat(p.field()).isEqualTo("defaultServices[0].partitions.count");
            assertThat(p.line()).isEqualTo(38);
            assertThat(p.message()).startsWith("is missing; a UniformInt64Range scheme needs low, high and count");
        }

        @Test
        void unknownSchemeNamesTheValidOnes() {
            ManifestProblem p = only(with("scheme: UniformInt64Range", "scheme: UniformInt46Range"));
            assertThat(p.field()).isEqualTo("defaultServices[0].partitions.scheme");
            assertThat(p.line()).isEqualTo(39);
            assertThat(p.message()).isEqualTo("'UniformInt46Range' is not a partition scheme; use Singleton, UniformInt64Range"
                    + " (with low, high, count) or Named (with names); did you mean 'UniformInt64Range'?");
        }

        @Test
        void fieldsOfAnotherSchemeAreRejected() {
            String yaml = with("      names: [eu, us]", "      names: [eu, us]\n      count: 2");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("defaultServices[1].partitions.count");
            assertThat(p.line()).isEqualTo(51);
            assertThat(p.message()).isEqualTo("does not apply to the Named scheme, which takes scheme, names; remove it");
        }

        @Test
        void namedNeedsNames() {
            ManifestProblem empty = only(with("names: [eu, us]", "names: []"));
            assertThat(empty.field()).isEqualTo("defaultServices[1].partitions.names");
            assertThat(empty.line()).isEqualTo(50);
            assertThat(empty.message()).isEqualTo("is empty; a Named scheme needs at least one partition name, e.g. names: [eu, us]");
        }

        @Test
        void namedNamesAreUnique() {
            String yaml = with("names: [eu, us]", "names:\n        - eu\n        - us\n        - eu");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("defaultServices[1].partitions.names[2]");
            assertThat(p.line()).isEqualTo(53);
            assertThat(p.message()).isEqualTo("partition name 'eu' is given twice (also names[0]); partition names must be unique");
        }

        @Test
        void partitionsDefaultToSingleton() {
            String yaml = with("""
                        partitions:
                          scheme: Named
                          names: [eu, us]
                    """, "");
            ApplicationTypeManifest m = ManifestParser.parse(yaml, "x");
            assertThat(m.defaultServices().get(1).spec().partitions()).isEqualTo(new PartitionScheme.Singleton());
        }
    }

    @Nested
    class Probes {
        private static final String PROBES = CODE + ".probes";

        /** WITH_PROBES with the first {@code from} in its probes block replaced by {@code to}. */
        private String probes(String from, String to) {
            return with(WITH_PROBES, from, to);
        }

        @Test
        void theValidProbesParse() {
            assertThat(ManifestParser.parse(WITH_PROBES, "x").servicePackages().get(0).codePackages().get(0).probes().isEmpty())
                    .isFalse();
        }

        @Test
        void aProbeNeedsSomethingToCheck() {
            String yaml = probes("{tcp: {endpoint: admin}, period: 5s", "{period: 5s");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(PROBES + ".liveness");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "liveness:"));
            assertThat(p.message()).isEqualTo("says nothing to check; give exactly one of http, tcp or exec,"
                    + " e.g. liveness: {http: {endpoint: web, path: /healthz}, period: 5s}");
        }

        @Test
        void aProbeChecksExactlyOneWay() {
            String yaml = probes("{tcp: {endpoint: admin}, period: 5s", "{tcp: {endpoint: admin}, exec: {command: [./x]}, period: 5s");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(PROBES + ".liveness.exec");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "liveness:"));
            assertThat(p.column()).isEqualTo(columnOf(yaml, "exec: {command: [./x]}"));
            assertThat(p.message()).isEqualTo("a probe checks one way only and this one already has tcp:; remove exec:"
                    + " (or make it a probe of its own)");
        }

        @Test
        void theEndpointMustBeOneOfThePackage() {
            String yaml = probes("tcp: {endpoint: admin}", "tcp: {endpoint: admn}");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(PROBES + ".liveness.tcp.endpoint");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "endpoint: admn"));
            assertThat(p.column()).isEqualTo(columnOf(yaml, "admn"));
            assertThat(p.message()).isEqualTo("names endpoint 'admn', which service package 'MyServicePackage' does not declare;"
                    + " did you mean 'admin'? (declared: web, admin)");
        }

        @Test
        void anEndpointIsRequiredForHttpAndTcp() {
            String yaml = probes("http: {endpoint: web, path: /healthz, expectedStatus: 200}", "http: {path: /healthz}");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(PROBES + ".startup.http.endpoint");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "startup:"));
            assertThat(p.message()).isEqualTo("is missing; name one of the service package's endpoints, e.g. endpoint: web");
        }

        @Test
        void httpProbesSpeakPlainHttp() {
            String yaml = probes("protocol: http", "protocol: https");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(PROBES + ".startup.http.endpoint");
            assertThat(p.message()).isEqualTo("endpoint 'web' speaks https, but http probes speak plain HTTP;"
                    + " check it with tcp: {endpoint: web} or give the probe a plain http endpoint");
        }

        @Test
        void httpPathAndExpectedStatus() {
            String yaml = probes("path: /healthz, expectedStatus: 200", "path: healthz, expectedStatus: 999");
            List<ManifestProblem> problems = problems(yaml);
            assertThat(problems).extracting(ManifestProblem::field)
                    .containsExactly(PROBES + ".startup.http.path", PROBES + ".startup.http.expectedStatus");
            assertThat(problems).extracting(ManifestProblem::line).containsOnly(lineOf(yaml, "startup:"));
            assertThat(problems.get(0).message()).isEqualTo("'healthz' must start with '/'; e.g. path: /healthz");
            assertThat(problems.get(1).message()).isEqualTo("999 is not an HTTP status code; use 100..599, e.g. expectedStatus: 200,"
                    + " or leave it out to accept 200..399");
        }

        @Test
        void execNeedsACommandList() {
            ManifestProblem empty = only(probes("command: [./ready.sh, --strict, \"[Level]\"]", "command: []"));
            assertThat(empty.field()).isEqualTo(PROBES + ".readiness.exec.command");
            assertThat(empty.message()).isEqualTo("is empty; give the program and its arguments as a list,"
                    + " e.g. command: [./ready.sh, --strict]");
            ManifestProblem text = only(probes("command: [./ready.sh, --strict, \"[Level]\"]", "command: ./ready.sh"));
            assertThat(text.message()).isEqualTo("must be a list, not the text './ready.sh'; give the program and its arguments"
                    + " as a list, e.g. command: [./ready.sh, --strict]");
            ManifestProblem outside = only(probes("command: [./ready.sh, --strict, \"[Level]\"]", "command: [../x.sh]"));
            assertThat(outside.field()).isEqualTo(PROBES + ".readiness.exec.command[0]");
            assertThat(outside.message()).startsWith("'../x.sh' leaves the code package folder through '..'");
        }

        @Test
        void execCommandsReferToDeclaredParameters() {
            String yaml = probes("\"[Level]\"]", "\"[Levl]\"]");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(PROBES + ".readiness.exec.command[2]");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "readiness:"));
            assertThat(p.message()).startsWith("refers to parameter [Levl], which MyAppType does not declare; did you mean [Level]?");
        }

        @Test
        void durationsNeedAUnitAndMustBePositive() {
            String yaml = probes("period: 5s, timeout: 1s", "period: 5, timeout: 0s");
            yaml = with(yaml, "initialDelay: 2s", "initialDelay: PT-2S");
            List<ManifestProblem> problems = problems(yaml);
            assertThat(problems).extracting(ManifestProblem::field).containsExactly(
                    PROBES + ".liveness.period", PROBES + ".liveness.timeout", PROBES + ".liveness.initialDelay");
            assertThat(problems).extracting(ManifestProblem::line).containsOnly(lineOf(yaml, "liveness:"));
            assertThat(problems.get(0).column()).isEqualTo(columnOf(yaml, "5, timeout"));
            assertThat(problems.get(0).message()).isEqualTo("'5' is not a duration; write it with a unit (500ms, 30s, 2m, 1h"
                    + " or PT30S), e.g. period: 5s");
            assertThat(problems.get(1).message()).isEqualTo("'0s' is zero; it must be more than 0, e.g. timeout: 1s");
            assertThat(problems.get(2).message()).isEqualTo("'PT-2S' is negative; it must be 0 or more, e.g. initialDelay: 2s");
        }

        @Test
        void anInitialDelayOfZeroIsFine() {
            ApplicationTypeManifest m = ManifestParser.parse(probes("initialDelay: 2s", "initialDelay: 0s"), "x");
            assertThat(m.servicePackages().get(0).codePackages().get(0).probes().liveness().initialDelay()).isZero();
        }

        @Test
        void thresholdsAreAtLeastOne() {
            String yaml = probes("failureThreshold: 30", "failureThreshold: 0");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(PROBES + ".startup.failureThreshold");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "startup:"));
            assertThat(p.message()).isEqualTo("0 is not valid here; use a whole number of 1 or more, how many checks in a row must"
                    + " fail before the probe counts as failed, e.g. failureThreshold: 3");
            ManifestProblem notANumber = only(probes("successThreshold: 2", "successThreshold: two"));
            assertThat(notANumber.field()).isEqualTo(PROBES + ".readiness.successThreshold");
            assertThat(notANumber.message()).startsWith("must be a whole number, not the text 'two'");
        }

        @Test
        void onlyReadinessTakesASuccessThresholdAboveOne() {
            String yaml = probes("failureThreshold: 3, initialDelay", "failureThreshold: 3, successThreshold: 2, initialDelay");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(PROBES + ".liveness.successThreshold");
            assertThat(p.message()).isEqualTo("must be 1 for a liveness probe (one success is enough to know the program lives);"
                    + " only readiness probes take a larger successThreshold");
        }

        @Test
        void unknownFieldsGetTheFieldMeant() {
            String yaml = probes("period: 5s, timeout: 1s", "periodSeconds: 5, timeout: 1s");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(PROBES + ".liveness.periodSeconds");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "liveness:"));
            assertThat(p.message()).isEqualTo("unknown field 'periodSeconds'; did you mean 'period'? fields here: http, tcp, exec,"
                    + " initialDelay, period, timeout, failureThreshold, successThreshold");

            ManifestProblem habit = only(probes("      liveness:  {tcp", "      livenessProbe:  {tcp"));
            assertThat(habit.field()).isEqualTo(PROBES + ".livenessProbe");
            assertThat(habit.message()).isEqualTo("unknown field 'livenessProbe'; did you mean 'liveness'? fields here: startup,"
                    + " liveness, readiness");

            ManifestProblem port = only(probes("tcp: {endpoint: admin}", "tcp: {endpoint: admin, port: 8081}"));
            assertThat(port.field()).isEqualTo(PROBES + ".liveness.tcp.port");
            assertThat(port.message()).isEqualTo("unknown field 'port'; did you mean 'endpoint'? fields here: endpoint");
        }

        @Test
        void anEmptyProbeIsReported() {
            String yaml = probes("      readiness: {exec: {command: [./ready.sh, --strict, \"[Level]\"]}, period: 2s, successThreshold: 2}",
                    "      readiness:");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(PROBES + ".readiness");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "readiness:"));
            assertThat(p.message()).startsWith("is empty; say how to check, e.g. readiness: {http:");
        }
    }

    @Nested
    class RestartPolicies {
        private static final String POLICY = CODE + ".restartPolicy";

        @Test
        void maxDelayIsAtLeastTheInitialDelay() {
            String yaml = with(WITH_PROBES, "maxDelay: 2m", "maxDelay: 100ms");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(POLICY + ".maxDelay");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "restartPolicy:"));
            assertThat(p.column()).isEqualTo(columnOf(yaml, "100ms"));
            assertThat(p.message()).isEqualTo("maxDelay 100ms is less than initialDelay 500ms; the delay doubles from initialDelay"
                    + " up to maxDelay, so use maxDelay: 500ms or more");
        }

        @Test
        void delaysArePositiveDurations() {
            String yaml = with(WITH_PROBES, "initialDelay: 500ms, maxDelay: 2m, resetAfter: PT30S",
                    "initialDelay: 0ms, maxDelay: soon, resetAfter: PT30S");
            List<ManifestProblem> problems = problems(yaml);
            assertThat(problems).extracting(ManifestProblem::field).containsExactly(POLICY + ".initialDelay", POLICY + ".maxDelay");
            assertThat(problems.get(0).message()).isEqualTo("'0ms' is zero; it must be more than 0, the delay before the second"
                    + " restart in a row, e.g. initialDelay: 1s");
            assertThat(problems.get(1).message()).isEqualTo("'soon' is not a duration; write it with a unit (500ms, 30s, 2m, 1h"
                    + " or PT30S), the longest delay between restarts, e.g. maxDelay: 60s");
        }

        @Test
        void moveAfterFailuresIsAtLeastOne() {
            String yaml = with(WITH_PROBES, "moveAfterFailures: 4", "moveAfterFailures: 0");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo(POLICY + ".moveAfterFailures");
            assertThat(p.message()).isEqualTo("0 is not valid here; use a whole number of 1 or more, after how many failures in a"
                    + " row the replicas move to another node, e.g. moveAfterFailures: 5");
        }

        @Test
        void unknownFieldsGetTheFieldMeant() {
            ManifestProblem p = only(with(WITH_PROBES, "maxDelay: 2m", "maxBackoff: 2m"));
            assertThat(p.field()).isEqualTo(POLICY + ".maxBackoff");
            assertThat(p.message()).isEqualTo("unknown field 'maxBackoff'; did you mean 'maxDelay'? fields here: initialDelay,"
                    + " maxDelay, resetAfter, moveAfterFailures");
            ManifestProblem habit = only(with(WITH_PROBES, "    restartPolicy:", "    restartBackoff:"));
            assertThat(habit.field()).isEqualTo(CODE + ".restartBackoff");
            assertThat(habit.message()).startsWith("unknown field 'restartBackoff'; did you mean 'restartPolicy'?");
        }
    }

    @Nested
    class HealthPolicies {
        @Test
        void percentagesAreZeroToHundred() {
            String yaml = with(WITH_PROBES, "maxPercentUnhealthyServices: 20", "maxPercentUnhealthyServices: 101");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("healthPolicy.maxPercentUnhealthyServices");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "maxPercentUnhealthyServices: 101"));
            assertThat(p.column()).isEqualTo(columnOf(yaml, "101"));
            assertThat(p.message()).isEqualTo("101 is not a percentage; use 0..100 (the share of unhealthy children tolerated"
                    + " before the application counts as Error), e.g. maxPercentUnhealthyServices: 10");
            ManifestProblem negative = only(with(WITH_PROBES, "PerPartition: 100", "PerPartition: -1"));
            assertThat(negative.field()).isEqualTo("healthPolicy.maxPercentUnhealthyReplicasPerPartition");
            assertThat(negative.message()).startsWith("-1 is not a percentage; use 0..100");
        }

        @Test
        void considerWarningAsErrorIsABoolean() {
            String yaml = with(WITH_PROBES, "considerWarningAsError: true", "considerWarningAsError: maybe");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("healthPolicy.considerWarningAsError");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "considerWarningAsError"));
            assertThat(p.message()).isEqualTo("must be true or false, not the text 'maybe'; e.g. considerWarningAsError: false");
        }

        @Test
        void unknownFieldsGetTheFieldMeant() {
            String yaml = with(WITH_PROBES, "maxPercentUnhealthyServices: 20", "maxPercentUnhealthyService: 20");
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("healthPolicy.maxPercentUnhealthyService");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "maxPercentUnhealthyService:"));
            assertThat(p.message()).startsWith("unknown field 'maxPercentUnhealthyService'; did you mean 'maxPercentUnhealthyServices'?");
        }

        @Test
        void aHealthPolicyMustBeAMapping() {
            String yaml = VALID + "healthPolicy: strict\n";
            ManifestProblem p = only(yaml);
            assertThat(p.field()).isEqualTo("healthPolicy");
            assertThat(p.line()).isEqualTo(lineOf(yaml, "healthPolicy"));
            assertThat(p.message()).startsWith("must be a mapping, not the text 'strict'");
        }
    }
}
