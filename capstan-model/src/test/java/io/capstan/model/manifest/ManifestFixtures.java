package io.capstan.model.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

/** A valid manifest in block style (one field per line) and helpers to break it and find the problems. */
final class ManifestFixtures {

    static final String FILE = "capstan-app.yaml";

    static final String VALID = """
            applicationType: MyAppType
            version: 1.0.0
            parameters:
              Greeting: hello
              Level: info
            servicePackages:
              - name: MyServicePackage
                version: 1.0.0
                serviceTypes:
                  - name: MyServiceType
                    kind: stateless
                    codePackage: MyCodePackage
                  - name: MyStatefulType
                    kind: stateful
                    codePackage: MyCodePackage
                codePackages:
                  - name: MyCodePackage
                    version: 1.0.0
                    process:
                      command: python3
                      args: [server.py, --greeting, "[Greeting]"]
                      env:
                        LOG_LEVEL: "[Level]"
                      workingDir: data
                    resources:
                      cpu: 0.25
                      memoryMiB: 128
                endpoints:
                  - name: web
                    protocol: http
                  - name: admin
                    protocol: tcp
                    port: 8081
            defaultServices:
              - name: ServiceA
                serviceType: MyServiceType
                activation: SharedProcess
                partitions:
                  scheme: UniformInt64Range
                  low: 0
                  high: 99
                  count: 2
                instanceCount: 3
                placementConstraints: 'NodeType == "frontend"'
              - name: ServiceB
                serviceType: MyStatefulType
                activation: ExclusiveProcess
                partitions:
                  scheme: Named
                  names: [eu, us]
                targetReplicaSetSize: 3
                minReplicaSetSize: 2
            """;

    /** The block VALID's code package gets in {@link #WITH_PROBES}: one probe of each kind and a restart policy. */
    static final String PROBES_BLOCK = """
                    probes:
                      startup:   {http: {endpoint: web, path: /healthz, expectedStatus: 200}, period: 1s, failureThreshold: 30}
                      liveness:  {tcp: {endpoint: admin}, period: 5s, timeout: 1s, failureThreshold: 3, initialDelay: 2s}
                      readiness: {exec: {command: [./ready.sh, --strict, "[Level]"]}, period: 2s, successThreshold: 2}
                    restartPolicy: {initialDelay: 500ms, maxDelay: 2m, resetAfter: PT30S, moveAfterFailures: 4}
            """;

    static final String HEALTH_POLICY_BLOCK = """
            healthPolicy:
              considerWarningAsError: true
              maxPercentUnhealthyDeployedApplications: 10
              maxPercentUnhealthyServices: 20
              maxPercentUnhealthyPartitionsPerService: 30
              maxPercentUnhealthyReplicasPerPartition: 100
            """;

    /** VALID with probes and a restart policy on its code package, and a health policy at the end. */
    static final String WITH_PROBES = with(VALID, "    endpoints:\n", PROBES_BLOCK + "    endpoints:\n") + HEALTH_POLICY_BLOCK;

    private ManifestFixtures() {
    }

    /** VALID with the first occurrence of {@code from} replaced (which must exist). */
    static String with(String from, String to) {
        return with(VALID, from, to);
    }

    static String with(String yaml, String from, String to) {
        int i = yaml.indexOf(from);
        assertThat(i).as("fixture contains %s", from).isGreaterThanOrEqualTo(0);
        return yaml.substring(0, i) + to + yaml.substring(i + from.length());
    }

    /** The 1-based line on which {@code snippet} first appears in {@code yaml}. */
    static int lineOf(String yaml, String snippet) {
        int i = yaml.indexOf(snippet);
        assertThat(i).as("yaml contains %s", snippet).isGreaterThanOrEqualTo(0);
        return (int) yaml.substring(0, i).chars().filter(c -> c == '\n').count() + 1;
    }

    /** The 1-based column at which {@code snippet} first appears in {@code yaml}. */
    static int columnOf(String yaml, String snippet) {
        int i = yaml.indexOf(snippet);
        return i - (yaml.lastIndexOf('\n', i - 1) + 1) + 1;
    }

    static List<ManifestProblem> problems(String yaml) {
        ManifestException e = catchThrowableOfType(ManifestException.class, () -> ManifestParser.parse(yaml, FILE));
        assertThat(e).as("the manifest should be rejected").isNotNull();
        return e.problems();
    }

    /** The one problem the manifest has. */
    static ManifestProblem only(String yaml) {
        List<ManifestProblem> problems = problems(yaml);
        assertThat(problems).as("exactly one problem").hasSize(1);
        return problems.get(0);
    }

    /** The problem reported for {@code field}. */
    static ManifestProblem about(List<ManifestProblem> problems, String field) {
        return problems.stream().filter(p -> p.field().equals(field)).findFirst()
                .orElseThrow(() -> new AssertionError("no problem for " + field + " in " + problems));
    }
}
