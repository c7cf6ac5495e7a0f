package io.capstan.model.manifest;

import com.fasterxml.jackson.core.JsonToken;
import io.capstan.model.ActivationMode;
import io.capstan.model.Durations;
import io.capstan.model.LoadBalancing;
import io.capstan.model.Names;
import io.capstan.model.PartitionScheme;
import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceSpec;
import io.capstan.model.health.ApplicationHealthPolicy;
import io.capstan.model.manifest.YamlTree.Entry;
import io.capstan.model.manifest.YamlTree.Node;
import io.capstan.model.manifest.YamlTree.YList;
import io.capstan.model.manifest.YamlTree.YMap;
import io.capstan.model.manifest.YamlTree.YScalar;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code capstan-app.yaml} (DESIGN §9) into an {@link ApplicationTypeManifest} and checks it. Every
 * problem is collected, with its file, line, column, field path and a fix, and thrown together as a
 * {@link ManifestException}; nothing is returned unless the manifest is entirely valid.
 *
 * <p>Defaults: {@code activation} SharedProcess; {@code partitions} Singleton; for a stateful service an absent
 * {@code minReplicaSetSize} equals {@code targetReplicaSetSize}; an endpoint's {@code protocol} is tcp; a service
 * type's {@code codePackage} may be left out when its service package has exactly one code package; parameter
 * and environment values written empty ({@code KEY:}) are the empty string; no probes, {@link RestartPolicy#DEFAULT}
 * and {@link io.capstan.model.health.ApplicationHealthPolicy#DEFAULT}, and {@link ProbeSpec}'s defaults for the fields
 * of a probe left out. A probe's {@code endpoint} must name an endpoint of its own service package; durations are
 * read by {@link Durations}.
 *
 * <p>{@code [Name]}, where Name is a valid name, in a process's (or container's) command, args, env values
 * and workingDir, an exec probe's command and an http probe's path is always a reference to the parameter Name,
 * which must be declared; see {@link ParameterSubstitution}.
 */
public final class ManifestParser {

    /** The manifest's file name inside an application package. */
    public static final String FILE_NAME = "capstan-app.yaml";

    /** The endpoint protocols a manifest may name. */
    public static final List<String> PROTOCOLS = List.of("http", "https", "tcp");

    /** Versions: letters, digits, '.', '_', '+', '-', starting with a letter or digit (they end up in paths and URLs). */
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private static final List<String> ROOT_FIELDS =
            List.of("applicationType", "version", "parameters", "servicePackages", "defaultServices", "healthPolicy");
    private static final List<String> PACKAGE_FIELDS =
            List.of("name", "version", "serviceTypes", "codePackages", "endpoints", "configPackages", "dataPackages");
    private static final List<String> FILES_PACKAGE_FIELDS = List.of("name", "version");
    private static final List<String> ON_CONFIG_CHANGE_FIELDS = List.of("signal");
    private static final List<String> SERVICE_TYPE_FIELDS = List.of("name", "kind", "codePackage", "loadBalancing");
    private static final List<String> CODE_PACKAGE_FIELDS =
            List.of("name", "version", "process", "container", "resources", "probes", "restartPolicy", "drainTimeout",
                    "onConfigChange");
    private static final List<String> PROCESS_FIELDS = List.of("command", "args", "env", "workingDir");
    private static final List<String> CONTAINER_FIELDS = List.of("image", "args", "env", "network", "userNamespace");
    private static final List<String> RESOURCE_FIELDS = List.of("cpu", "memoryMiB");
    private static final List<String> ENDPOINT_FIELDS = List.of("name", "protocol", "port");
    private static final List<String> PROBES_FIELDS = List.of("startup", "liveness", "readiness");
    private static final List<String> PROBE_KINDS = List.of("http", "tcp", "exec");
    private static final List<String> PROBE_FIELDS = List.of("http", "tcp", "exec", "initialDelay", "period", "timeout",
            "failureThreshold", "successThreshold");
    private static final Map<String, List<String>> PROBE_KIND_FIELDS = Map.of(
            "http", List.of("endpoint", "path", "expectedStatus"),
            "tcp", List.of("endpoint"),
            "exec", List.of("command"));
    private static final Map<String, String> PROBE_EXAMPLES = Map.of(
            "http", "http: {endpoint: web, path: /healthz}",
            "tcp", "tcp: {endpoint: web}",
            "exec", "exec: {command: [./ready.sh]}");
    private static final List<String> RESTART_POLICY_FIELDS = List.of("initialDelay", "maxDelay", "resetAfter", "moveAfterFailures");
    private static final List<String> HEALTH_POLICY_FIELDS = List.of("considerWarningAsError",
            "maxPercentUnhealthyDeployedApplications", "maxPercentUnhealthyServices",
            "maxPercentUnhealthyPartitionsPerService", "maxPercentUnhealthyReplicasPerPartition");
    private static final List<String> DEFAULT_SERVICE_FIELDS = List.of("name", "serviceType", "activation", "partitions",
            "instanceCount", "targetReplicaSetSize", "minReplicaSetSize", "placementConstraints", "loadBalancing");
    private static final List<String> SCHEMES = List.of("Singleton", "UniformInt64Range", "Named");
    private static final Map<String, List<String>> SCHEME_FIELDS = Map.of(
            "Singleton", List.of("scheme"),
            "UniformInt64Range", List.of("scheme", "low", "high", "count"),
            "Named", List.of("scheme", "names"));
    private static final List<String> ALL_PARTITION_FIELDS = List.of("scheme", "low", "high", "count", "names");

    /** Names people reach for out of habit (Kubernetes, Nomad, Service Fabric XML), mapped to ours. */
    private static final Map<String, String> HABITS = Map.ofEntries(
            Map.entry("instances", "instanceCount"), Map.entry("replicas", "targetReplicaSetSize"),
            Map.entry("replicaCount", "targetReplicaSetSize"), Map.entry("minReplicas", "minReplicaSetSize"),
            Map.entry("memory", "memoryMiB"), Map.entry("mem", "memoryMiB"), Map.entry("memoryMB", "memoryMiB"),
            Map.entry("cpus", "cpu"), Map.entry("cwd", "workingDir"), Map.entry("workDir", "workingDir"),
            Map.entry("environment", "env"), Map.entry("arguments", "args"), Map.entry("cmd", "command"),
            Map.entry("program", "command"), Map.entry("executable", "command"), Map.entry("partition", "partitions"),
            Map.entry("activationMode", "activation"), Map.entry("type", "serviceType"), Map.entry("parameter", "parameters"),
            Map.entry("services", "defaultServices"), Map.entry("packages", "servicePackages"),
            Map.entry("placement", "placementConstraints"), Map.entry("loadBalancer", "loadBalancing"),
            Map.entry("terminationGracePeriod", "drainTimeout"), Map.entry("drain", "drainTimeout"), Map.entry("constraints", "placementConstraints"),
            Map.entry("startupProbe", "startup"), Map.entry("livenessProbe", "liveness"), Map.entry("readinessProbe", "readiness"),
            Map.entry("httpGet", "http"), Map.entry("tcpSocket", "tcp"), Map.entry("initialDelaySeconds", "initialDelay"),
            Map.entry("periodSeconds", "period"), Map.entry("timeoutSeconds", "timeout"), Map.entry("port", "endpoint"),
            Map.entry("status", "expectedStatus"), Map.entry("statusCode", "expectedStatus"),
            Map.entry("healthChecks", "probes"), Map.entry("checks", "probes"), Map.entry("restart", "restartPolicy"),
            Map.entry("backoff", "restartPolicy"), Map.entry("restartBackoff", "restartPolicy"),
            Map.entry("maxBackoff", "maxDelay"), Map.entry("health", "healthPolicy"));

    private ManifestParser() {
    }

    /** Parses and validates; throws {@link ManifestException} with every problem found. */
    public static ApplicationTypeManifest parse(String yamlText, String fileName) {
        return parseWithPositions(yamlText, fileName).manifest();
    }

    /** Reads and parses a manifest file; problems name {@code file} as given. */
    public static ApplicationTypeManifest parse(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Like {@link #parse(String, String)}, also returning where each field was written. */
    public static ParsedManifest parseWithPositions(String yamlText, String fileName) {
        Reader reader = new Reader(fileName == null ? FILE_NAME : fileName);
        ApplicationTypeManifest manifest = reader.read(yamlText);
        if (!reader.problems.isEmpty()) {
            throw new ManifestException(reader.problems);
        }
        return new ParsedManifest(manifest, reader.file, reader.positions);
    }

    /** The field path of {@code key} under {@code path}. */
    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The parameter names referenced as {@code [Name]} in {@code text}, in order. */
    public static List<String> parameterReferences(String text) {
        List<String> names = new ArrayList<>();
        if (text != null) {
            Matcher m = ParameterSubstitution.REFERENCE.matcher(text);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private record ParamRef(String path, SourcePosition pos, String name) {
    }

    /** A probe's {@code endpoint}, checked once the service package's endpoints are known. */
    private record EndpointRef(String path, SourcePosition pos, String name, ProbeSpec.Kind kind) {
    }

    /** One parse: the tree walk, the problems found and the position of every field seen. */
    private static final class Reader {
        final String file;
        final List<ManifestProblem> problems = new ArrayList<>();
        final Map<String, SourcePosition> positions = new HashMap<>();
        final List<ParamRef> paramRefs = new ArrayList<>();
        /** The probe endpoints of the service package being read. */
        List<EndpointRef> endpointRefs = new ArrayList<>();

        Reader(String file) {
            this.file = file;
        }

        void problem(String path, SourcePosition pos, String message) {
            problems.add(new ManifestProblem(file, pos.line(), pos.column(), path, message));
        }

        ApplicationTypeManifest read(String text) {
            YamlTree.Result tree = YamlTree.parse(text, file);
            problems.addAll(tree.problems());
            if (tree.root() == null) {
                if (tree.problems().isEmpty()) {
                    problem("", new SourcePosition(1, 1), "is empty; start it with applicationType: MyAppType and version: 1.0.0");
                }
                return null;
            }
            if (!(tree.root() instanceof YMap rootMap)) {
                problem("", tree.root().pos(), "must be a mapping with applicationType, version and servicePackages, not "
                        + tree.root().describe());
                return null;
            }
            Obj root = new Obj(rootMap, "", rootMap.pos());
            root.allowOnly(ROOT_FIELDS);
            String typeName = root.name("applicationType", "application type", "MyAppType");
            String version = root.version("version");
            Map<String, String> parameters = parameters(root);

            List<ServicePackageManifest> packages = new ArrayList<>();
            Map<String, ServiceKind> typeKinds = new LinkedHashMap<>();
            Map<String, String> typeFirstPath = new HashMap<>();
            Map<String, String> packageFirstPath = new HashMap<>();
            for (Obj sp : root.objects("servicePackages", true,
                    "an application type needs at least one service package, e.g. servicePackages: [{name: MyServicePackage, version: 1.0.0, ...}]")) {
                ServicePackageManifest pkg = servicePackage(sp);
                packages.add(pkg);
                if (pkg.name() != null) {
                    String first = packageFirstPath.putIfAbsent(pkg.name(), sp.path);
                    if (first != null) {
                        problem(sp.at("name"), sp.pos("name"), "service package '" + pkg.name() + "' is declared twice (also "
                                + first + " on line " + lineOf(first + ".name") + "); service package names must be unique");
                    }
                }
                for (int i = 0; i < pkg.serviceTypes().size(); i++) {
                    ServiceTypeManifest st = pkg.serviceTypes().get(i);
                    String stPath = sp.at("serviceTypes") + "[" + i + "]";
                    if (st.name() == null) {
                        continue;
                    }
                    String first = typeFirstPath.putIfAbsent(st.name(), stPath);
                    if (first != null) {
                        problem(stPath + ".name", positionOf(stPath + ".name"), "service type '" + st.name()
                                + "' is already declared (" + first + " on line " + lineOf(first + ".name")
                                + "); service type names must be unique across the application type");
                    } else if (st.kind() != null) {
                        typeKinds.put(st.name(), st.kind());
                    }
                }
            }
            checkParameterReferences(typeName, parameters);

            List<DefaultServiceManifest> defaults = new ArrayList<>();
            Map<String, String> defaultFirstPath = new HashMap<>();
            for (Obj ds : root.objects("defaultServices", false, null)) {
                DefaultServiceManifest d = defaultService(ds, typeKinds, typeFirstPath.keySet());
                defaults.add(d);
                if (d.name() != null) {
                    String first = defaultFirstPath.putIfAbsent(d.name(), ds.path);
                    if (first != null) {
                        problem(ds.at("name"), ds.pos("name"), "default service '" + d.name() + "' is declared twice (also "
                                + first + " on line " + lineOf(first + ".name") + "); default service names must be unique");
                    }
                }
            }
            ApplicationHealthPolicy healthPolicy = healthPolicy(root);
            return new ApplicationTypeManifest(typeName, version, parameters, packages, defaults, healthPolicy);
        }

        /** Null (the default policy) when absent or wrong; every wrong field is a problem. */
        private ApplicationHealthPolicy healthPolicy(Obj root) {
            Obj h = root.object("healthPolicy", "e.g. healthPolicy: {considerWarningAsError: false, maxPercentUnhealthyServices: 0}");
            if (h == null) {
                return null;
            }
            h.allowOnly(HEALTH_POLICY_FIELDS);
            ApplicationHealthPolicy d = ApplicationHealthPolicy.DEFAULT;
            Boolean warningAsError = h.bool("considerWarningAsError", "e.g. considerWarningAsError: false");
            int[] percents = {d.maxPercentUnhealthyDeployedApplications(), d.maxPercentUnhealthyServices(),
                    d.maxPercentUnhealthyPartitionsPerService(), d.maxPercentUnhealthyReplicasPerPartition()};
            for (int i = 0; i < percents.length; i++) {
                String key = HEALTH_POLICY_FIELDS.get(i + 1);
                BigInteger v = h.integer(key, false, "give a percentage 0..100, e.g. " + key + ": 10");
                if (v == null) {
                    continue;
                }
                if (v.signum() < 0 || v.compareTo(BigInteger.valueOf(100)) > 0) {
                    problem(h.at(key), h.pos(key), v + " is not a percentage; use 0..100 (the share of unhealthy children"
                            + " tolerated before the application counts as Error), e.g. " + key + ": 10");
                } else {
                    percents[i] = v.intValue();
                }
            }
            return new ApplicationHealthPolicy(warningAsError == null ? d.considerWarningAsError() : warningAsError,
                    percents[0], percents[1], percents[2], percents[3]);
        }

        private Map<String, String> parameters(Obj root) {
            Map<String, String> parameters = new LinkedHashMap<>();
            Node n = root.value("parameters");
            if (n == null) {
                return parameters;
            }
            if (!(n instanceof YMap m)) {
                problem(root.at("parameters"), n.pos(), "must be a mapping of parameter names to default values, not "
                        + n.describe() + "; e.g. parameters: {Greeting: hello}");
                return parameters;
            }
            for (Entry e : m.entries().values()) {
                String path = child(root.at("parameters"), e.key());
                positions.put(path, e.keyPos());
                String nameProblem = Names.problem(e.key());
                if (nameProblem != null) {
                    problem(path, e.keyPos(), "parameter " + nameProblem);
                }
                if (e.value() instanceof YScalar s) {
                    parameters.put(e.key(), s.isNull() ? "" : s.text());
                } else {
                    problem(path, e.value().pos(), "a parameter's default must be a single value, not "
                            + e.value().describe() + "; e.g. " + e.key() + ": hello");
                }
            }
            return parameters;
        }

        private void checkParameterReferences(String typeName, Map<String, String> parameters) {
            for (ParamRef ref : paramRefs) {
                if (!parameters.containsKey(ref.name())) {
                    String declared = parameters.isEmpty() ? "none are declared" : "declared: " + String.join(", ", parameters.keySet());
                    problem(ref.path(), ref.pos(), "refers to parameter [" + ref.name() + "], which "
                            + (typeName == null ? "the application type" : typeName) + " does not declare"
                            + Suggestions.didYouMean(ref.name(), parameters.keySet(), "[") + " (" + declared
                            + "); declare it under parameters:, e.g. parameters: {" + ref.name() + ": value}");
                }
            }
        }

        private ServicePackageManifest servicePackage(Obj sp) {
            sp.allowOnly(PACKAGE_FIELDS);
            String name = sp.name("name", "service package", "MyServicePackage");
            String version = sp.version("version");
            endpointRefs = new ArrayList<>();

            List<CodePackageManifest> codes = new ArrayList<>();
            Map<String, String> codeFirstPath = new HashMap<>();
            for (Obj cp : sp.objects("codePackages", true,
                    "a service package needs at least one code package, e.g. codePackages: [{name: MyCodePackage, version: 1.0.0, process: {command: python3}}]")) {
                CodePackageManifest code = codePackage(cp);
                if (code == null) {
                    continue;
                }
                codes.add(code);
                if (code.name() != null) {
                    String first = codeFirstPath.putIfAbsent(code.name(), cp.path);
                    if (first != null) {
                        problem(cp.at("name"), cp.pos("name"), "code package '" + code.name() + "' is declared twice in service package '"
                                + name + "' (also " + first + " on line " + lineOf(first + ".name")
                                + "); code package names must be unique within a service package");
                    }
                }
            }
            List<String> codeNames = codes.stream().map(CodePackageManifest::name).filter(n -> n != null).toList();

            List<ServiceTypeManifest> types = new ArrayList<>();
            for (Obj st : sp.objects("serviceTypes", true,
                    "a service package registers at least one service type, e.g. serviceTypes: [{name: MyServiceType, kind: stateless, codePackage: MyCodePackage}]")) {
                types.add(serviceType(st, name, codeNames, codes.size()));
            }

            List<EndpointManifest> endpoints = new ArrayList<>();
            Map<String, String> endpointFirstPath = new HashMap<>();
            for (Obj ep : sp.objects("endpoints", false, null)) {
                EndpointManifest e = endpoint(ep);
                endpoints.add(e);
                if (e.name() != null) {
                    String first = endpointFirstPath.putIfAbsent(e.name().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"), ep.path);
                    if (first != null) {
                        problem(ep.at("name"), ep.pos("name"), "endpoint '" + e.name() + "' is declared twice in service package '" + name
                                + "' (also " + first + " on line " + lineOf(first + ".name")
                                + ", with the same port variable " + e.portVariable() + "); endpoint names must be unique within a service package");
                    }
                }
            }
            checkProbeEndpoints(name, endpoints);
            Map<String, List<FilesPackageManifest>> files = filesPackages(sp, name, codeFirstPath);
            return new ServicePackageManifest(name, version, types, codes, endpoints,
                    files.get(FilesPackageManifest.Kind.CONFIG.field()), files.get(FilesPackageManifest.Kind.DATA.field()));
        }

        /**
         * The config and data packages of a service package, by field. Their folders sit beside the code packages' in
         * the service package's folder, so a name is unique across code, config and data packages; within a kind two
         * names must not give the same directory variable either.
         */
        private Map<String, List<FilesPackageManifest>> filesPackages(Obj sp, String packageName, Map<String, String> codeFirstPath) {
            Map<String, String> folderFirstPath = new HashMap<>(codeFirstPath);
            Map<String, List<FilesPackageManifest>> out = new HashMap<>();
            for (FilesPackageManifest.Kind kind : FilesPackageManifest.Kind.values()) {
                List<FilesPackageManifest> list = new ArrayList<>();
                Map<String, String> variableFirstPath = new HashMap<>();
                for (Obj fp : sp.objects(kind.field(), false, null)) {
                    fp.allowOnly(FILES_PACKAGE_FIELDS);
                    String name = fp.name("name", kind.word() + " package", kind == FilesPackageManifest.Kind.CONFIG ? "Settings" : "Data");
                    String version = fp.version("version");
                    list.add(new FilesPackageManifest(name, version));
                    if (name == null) {
                        continue;
                    }
                    String first = folderFirstPath.putIfAbsent(name, fp.path);
                    if (first != null) {
                        problem(fp.at("name"), fp.pos("name"), "'" + name + "' is already the name of " + first + " (line "
                                + lineOf(first + ".name") + "); code, config and data packages of service package '" + packageName
                                + "' are folders side by side in its folder, so their names must be unique: rename one");
                        continue;
                    }
                    String variable = kind.directoryVariable(name);
                    String clash = variableFirstPath.putIfAbsent(variable, fp.path);
                    if (clash != null) {
                        problem(fp.at("name"), fp.pos("name"), "'" + name + "' gives the same variable " + variable + " as "
                                + clash + " (line " + lineOf(clash + ".name") + "); choose names that differ in more than"
                                + " case and punctuation");
                    }
                }
                out.put(kind.field(), list);
            }
            return out;
        }

        /** Restart (the default, also written {@code onConfigChange: restart}) or {@code {signal: HUP}}. */
        private OnConfigChange onConfigChange(Obj cp) {
            String hint = "write onConfigChange: restart (the default) or onConfigChange: {signal: HUP} (one of "
                    + String.join(", ", OnConfigChange.SIGNALS) + ")";
            Node n = cp.value("onConfigChange");
            if (n == null) {
                return null;
            }
            if (n instanceof YScalar s) {
                if (!s.text().equals("restart")) {
                    problem(cp.at("onConfigChange"), cp.pos("onConfigChange"), "'" + s.text() + "' is not a config change action; " + hint);
                }
                return OnConfigChange.RESTART;
            }
            Obj o = cp.object("onConfigChange", hint);
            if (o == null) {
                return null;
            }
            o.allowOnly(ON_CONFIG_CHANGE_FIELDS);
            String signal = o.text("signal", true, "name the signal to send, e.g. signal: HUP");
            if (signal == null) {
                return null;
            }
            String upper = signal.toUpperCase(Locale.ROOT);
            if (OnConfigChange.SIGNALS.contains(upper)) {
                return new OnConfigChange(upper);
            }
            String bare = upper.startsWith("SIG") ? upper.substring(3) : upper;
            problem(o.at("signal"), o.pos("signal"), "'" + signal + "' is not a signal a config change can send; use one of "
                    + String.join(", ", OnConfigChange.SIGNALS)
                    + (OnConfigChange.SIGNALS.contains(bare) ? " (written without SIG: signal: " + bare + ")" : "")
                    + ", or onConfigChange: restart");
            return null;
        }

        private void checkProbeEndpoints(String packageName, List<EndpointManifest> endpoints) {
            List<String> names = endpoints.stream().map(EndpointManifest::name).filter(n -> n != null).toList();
            for (EndpointRef ref : endpointRefs) {
                EndpointManifest e = endpoints.stream().filter(x -> ref.name().equals(x.name())).findFirst().orElse(null);
                if (e == null) {
                    problem(ref.path(), ref.pos(), "names endpoint '" + ref.name() + "', which service package '" + packageName
                            + "' does not declare" + Suggestions.didYouMean(ref.name(), names, "'")
                            + (names.isEmpty() ? "; declare it under endpoints:, e.g. endpoints: [{name: " + ref.name() + ", protocol: "
                            + (ref.kind() == ProbeSpec.Kind.http ? "http" : "tcp") + "}]"
                            : " (declared: " + String.join(", ", names) + ")"));
                } else if (ref.kind() == ProbeSpec.Kind.http && "https".equals(e.protocol())) {
                    problem(ref.path(), ref.pos(), "endpoint '" + ref.name() + "' speaks https, but http probes speak plain HTTP;"
                            + " check it with tcp: {endpoint: " + ref.name() + "} or give the probe a plain http endpoint");
                }
            }
        }

        private ServiceTypeManifest serviceType(Obj st, String packageName, List<String> codeNames, int codeCount) {
            st.allowOnly(SERVICE_TYPE_FIELDS);
            String name = st.name("name", "service type", "MyServiceType");
            ServiceKind kind = null;
            String kindText = st.text("kind", true, "say whether it keeps state: kind: stateless or kind: stateful");
            if (kindText != null) {
                try {
                    kind = ServiceKind.parse(kindText);
                } catch (IllegalArgumentException e) {
                    String guess = Suggestions.closest(kindText, List.of("stateless", "stateful"));
                    problem(st.at("kind"), st.pos("kind"), "'" + kindText + "' is not a service kind; use stateless or stateful"
                            + (guess == null ? "" : " (did you mean '" + guess + "'?)"));
                }
            }
            String code;
            if (!st.has("codePackage") && codeCount == 1 && codeNames.size() == 1) {
                code = codeNames.get(0);
            } else {
                code = st.text("codePackage", true, "name the code package that hosts it, e.g. codePackage: "
                        + (codeNames.isEmpty() ? "MyCodePackage" : codeNames.get(0)));
                if (code != null && !codeNames.isEmpty() && !codeNames.contains(code)) {
                    problem(st.at("codePackage"), st.pos("codePackage"), "names code package '" + code + "', which service package '"
                            + packageName + "' does not declare" + Suggestions.didYouMean(code, codeNames, "'")
                            + " (declared: " + String.join(", ", codeNames) + ")");
                }
            }
            return new ServiceTypeManifest(name, kind, code, loadBalancing(st));
        }

        private CodePackageManifest codePackage(Obj cp) {
            cp.allowOnly(CODE_PACKAGE_FIELDS);
            String name = cp.name("name", "code package", "MyCodePackage");
            String version = cp.version("version");
            ProcessSpec process = null;
            ContainerSpec container = null;
            if (cp.has("process") && cp.has("container")) {
                problem(cp.at("container"), cp.keyPos("container"),
                        "a code package runs either a process or a container, not both; remove process: or container:");
            }
            Obj p = cp.object("process", "e.g. process: {command: python3, args: [server.py]}");
            if (p != null) {
                process = process(p);
            }
            Obj c = cp.object("container", "e.g. container: {image: image.tar, args: [--port, '8080']}");
            if (c != null) {
                container = container(c);
            }
            if (!cp.has("process") && !cp.has("container")) {
                cp.missing("process", "say what to run, e.g. process: {command: python3, args: [server.py]}"
                        + " (or container: {image: image.tar})");
            }
            ResourceRequest resources = ResourceRequest.NONE;
            Obj r = cp.object("resources", "e.g. resources: {cpu: 0.25, memoryMiB: 128}");
            if (r != null) {
                r.allowOnly(RESOURCE_FIELDS);
                Double cpu = r.decimal("cpu", "cpu is in cores, e.g. cpu: 0.25");
                BigInteger mem = r.integer("memoryMiB", false, "memory is in MiB, e.g. memoryMiB: 128");
                if (cpu != null && cpu < 0) {
                    problem(r.at("cpu"), r.pos("cpu"), java.math.BigDecimal.valueOf(cpu).stripTrailingZeros().toPlainString() + " is negative; cpu is in cores and must be 0 or more, e.g. cpu: 0.25");
                }
                long memory = 0;
                if (mem != null) {
                    if (mem.signum() < 0) {
                        problem(r.at("memoryMiB"), r.pos("memoryMiB"), mem + " is negative; memoryMiB must be 0 or more, e.g. memoryMiB: 128");
                    } else if (mem.bitLength() > 40) {
                        problem(r.at("memoryMiB"), r.pos("memoryMiB"), mem + " MiB is more memory than any machine has; write it in MiB, e.g. memoryMiB: 128");
                    } else {
                        memory = mem.longValue();
                    }
                }
                resources = new ResourceRequest(cpu == null || cpu < 0 ? 0 : cpu, memory);
            }
            CodePackageProbes probes = null;
            Obj pr = cp.object("probes", "e.g. probes: {liveness: {http: {endpoint: web, path: /healthz}}}");
            if (pr != null) {
                pr.allowOnly(PROBES_FIELDS);
                probes = new CodePackageProbes(probe(pr, "startup"), probe(pr, "liveness"), probe(pr, "readiness"));
            }
            RestartPolicy restartPolicy = restartPolicy(cp);
            RunSpec run = process != null ? process : container;
            // Without a process or a container the problem is recorded already and the manifest is refused.
            Duration drain = cp.duration("drainTimeout", true, "e.g. drainTimeout: 5s (0s stops at once)");
            OnConfigChange onConfigChange = onConfigChange(cp);
            return run == null ? null : new CodePackageManifest(name, version, run, resources, probes, restartPolicy, drain,
                    onConfigChange);
        }

        /** The probe under {@code which}, or null when absent or too broken to build. */
        private ProbeSpec probe(Obj probes, String which) {
            String example = "e.g. " + which + ": {http: {endpoint: web, path: /healthz}, period: 5s}";
            Obj p = probes.object(which, example);
            if (p == null) {
                if (probes.has(which) && probes.value(which) == null) {
                    probes.missing(which, "say how to check, " + example + ", or remove " + which + ":");
                }
                return null;
            }
            p.allowOnly(PROBE_FIELDS);
            List<String> kinds = p.map.entries().keySet().stream().filter(PROBE_KINDS::contains).toList();
            if (kinds.isEmpty()) {
                problem(p.path, p.anchor, "says nothing to check; give exactly one of http, tcp or exec, " + example);
                return null;
            }
            for (String extra : kinds.subList(1, kinds.size())) {
                problem(p.at(extra), p.keyPos(extra), "a probe checks one way only and this one already has " + kinds.get(0)
                        + ":; remove " + extra + ": (or make it a probe of its own)");
            }
            String kindName = kinds.get(0);
            ProbeSpec.Kind kind = ProbeSpec.Kind.valueOf(kindName);
            boolean ok = true;
            String endpoint = null;
            String path = null;
            Integer expectedStatus = null;
            List<String> command = List.of();
            Obj how = p.object(kindName, "e.g. " + PROBE_EXAMPLES.get(kindName));
            if (how == null) {
                if (p.value(kindName) == null) {
                    p.missing(kindName, "e.g. " + PROBE_EXAMPLES.get(kindName));
                }
                ok = false;
            } else {
                how.allowOnly(PROBE_KIND_FIELDS.get(kindName));
                switch (kind) {
                    case http, tcp -> {
                        endpoint = how.text("endpoint", true, "name one of the service package's endpoints, e.g. endpoint: web");
                        if (endpoint != null) {
                            endpointRefs.add(new EndpointRef(how.at("endpoint"), how.pos("endpoint"), endpoint, kind));
                        } else {
                            ok = false;
                        }
                        if (kind == ProbeSpec.Kind.http) {
                            path = how.text("path", false, "the path to GET, e.g. path: /healthz");
                            if (path != null) {
                                noteReferences(how.at("path"), how.pos("path"), path);
                                if (!path.startsWith("/") && !path.startsWith("[")) {
                                    problem(how.at("path"), how.pos("path"), "'" + path + "' must start with '/'; e.g. path: /"
                                            + path);
                                }
                            }
                            BigInteger status = how.integer("expectedStatus", false,
                                    "give an HTTP status code, e.g. expectedStatus: 200, or leave it out to accept 200..399");
                            if (status != null) {
                                if (status.compareTo(BigInteger.valueOf(100)) < 0 || status.compareTo(BigInteger.valueOf(599)) > 0) {
                                    problem(how.at("expectedStatus"), how.pos("expectedStatus"), status
                                            + " is not an HTTP status code; use 100..599, e.g. expectedStatus: 200,"
                                            + " or leave it out to accept 200..399");
                                } else {
                                    expectedStatus = status.intValue();
                                }
                            }
                        }
                    }
                    case exec -> {
                        String hint = "give the program and its arguments as a list, e.g. command: [./ready.sh, --strict]";
                        Node n = how.value("command");
                        command = how.strings("command", hint);
                        if (n == null) {
                            how.missing("command", hint);
                            ok = false;
                        } else if (!(n instanceof YList)) {
                            ok = false;
                        } else if (command.isEmpty()) {
                            problem(how.at("command"), how.keyPos("command"), "is empty; " + hint);
                            ok = false;
                        } else if (!command.isEmpty()) {
                            String program = command.get(0);
                            String programPath = how.at("command") + "[0]";
                            if (program.isBlank()) {
                                problem(programPath, positionOf(programPath), "is blank; " + hint);
                            } else if (!program.startsWith("/") && program.contains("/") && hasDotDot(program)) {
                                problem(programPath, positionOf(programPath), "'" + program + "' leaves the code package folder"
                                        + " through '..'; a relative command is resolved against the code package folder,"
                                        + " so put the program inside it");
                            }
                        }
                    }
                    default -> throw new IllegalStateException(kindName);
                }
            }
            Duration initialDelay = p.duration("initialDelay", true, "e.g. initialDelay: 2s");
            Duration period = p.duration("period", false, "e.g. period: 5s");
            Duration timeout = p.duration("timeout", false, "e.g. timeout: 1s");
            Integer failureThreshold = p.atLeastOne("failureThreshold",
                    "how many checks in a row must fail before the probe counts as failed, e.g. failureThreshold: 3");
            Integer successThreshold = p.atLeastOne("successThreshold",
                    "how many checks in a row must pass before the probe counts as passing, e.g. successThreshold: 1");
            if (successThreshold != null && successThreshold != 1 && !which.equals("readiness")) {
                problem(p.at("successThreshold"), p.pos("successThreshold"), "must be 1 for a " + which
                        + " probe (one success is enough to know the program " + (which.equals("startup") ? "started" : "lives")
                        + "); only readiness probes take a larger successThreshold");
            }
            if (!ok) {
                return null;
            }
            return new ProbeSpec(kind, endpoint, path, expectedStatus, command, initialDelay, period, timeout,
                    failureThreshold == null ? 0 : failureThreshold, successThreshold == null ? 0 : successThreshold);
        }

        /** Null (the default policy) when absent or wrong; every wrong field is a problem. */
        private RestartPolicy restartPolicy(Obj cp) {
            Obj r = cp.object("restartPolicy", "e.g. restartPolicy: {initialDelay: 1s, maxDelay: 60s, resetAfter: 60s, moveAfterFailures: 5}");
            if (r == null) {
                return null;
            }
            r.allowOnly(RESTART_POLICY_FIELDS);
            Duration initial = r.duration("initialDelay", false, "the delay before the second restart in a row, e.g. initialDelay: 1s");
            Duration max = r.duration("maxDelay", false, "the longest delay between restarts, e.g. maxDelay: 60s");
            Duration reset = r.duration("resetAfter", false,
                    "how long a run must last for earlier failures to be forgotten, e.g. resetAfter: 60s");
            Integer move = r.atLeastOne("moveAfterFailures",
                    "after how many failures in a row the replicas move to another node, e.g. moveAfterFailures: 5");
            if (initial != null && max != null && max.compareTo(initial) < 0) {
                problem(r.at("maxDelay"), r.pos("maxDelay"), "maxDelay " + Durations.format(max) + " is less than initialDelay "
                        + Durations.format(initial) + "; the delay doubles from initialDelay up to maxDelay, so use maxDelay: "
                        + Durations.format(initial) + " or more");
                return null;
            }
            return new RestartPolicy(initial, max, reset, move == null ? RestartPolicy.DEFAULT.moveAfterFailures() : move);
        }

        private ProcessSpec process(Obj p) {
            p.allowOnly(PROCESS_FIELDS);
            String command = p.text("command", true, "give the program to run, e.g. command: python3");
            if (command != null) {
                noteReferences(p.at("command"), p.pos("command"), command);
                if (command.isBlank()) {
                    problem(p.at("command"), p.pos("command"), "is blank; give the program to run, e.g. command: python3");
                } else if (!command.startsWith("/") && command.contains("/") && hasDotDot(command)) {
                    problem(p.at("command"), p.pos("command"), "'" + command + "' leaves the code package folder through '..';"
                            + " a relative command is resolved against the code package folder, so put the program inside it");
                }
            }
            List<String> args = p.strings("args", "e.g. args: [server.py, --port, '8080']");
            Map<String, String> env = p.env("env");
            String workingDir = p.text("workingDir", false, "a folder inside the code package, e.g. workingDir: data");
            if (workingDir != null) {
                noteReferences(p.at("workingDir"), p.pos("workingDir"), workingDir);
                if (workingDir.startsWith("/")) {
                    problem(p.at("workingDir"), p.pos("workingDir"), "'" + workingDir + "' is absolute; workingDir is relative to the"
                            + " code package folder, e.g. workingDir: data");
                } else if (hasDotDot(workingDir)) {
                    problem(p.at("workingDir"), p.pos("workingDir"), "'" + workingDir + "' leaves the code package folder through '..';"
                            + " workingDir must be a folder inside the code package");
                }
            }
            return new ProcessSpec(command, args, env, workingDir);
        }

        private ContainerSpec container(Obj c) {
            c.allowOnly(CONTAINER_FIELDS);
            String image = c.text("image", true, "give an OCI layout folder or .tar inside the code package, e.g. image: image.tar");
            if (image != null) {
                noteReferences(c.at("image"), c.pos("image"), image);
                if (image.startsWith("/") || hasDotDot(image)) {
                    problem(c.at("image"), c.pos("image"), "'" + image + "' must be a path inside the code package folder"
                            + " (relative, without '..'), e.g. image: image.tar");
                }
            }
            List<String> args = c.strings("args", "e.g. args: [--port, '8080']");
            Map<String, String> env = c.env("env");
            String network = c.text("network", false, "network: host (the default) or private");
            if (network != null && !network.equals(ContainerSpec.HOST) && !network.equals(ContainerSpec.PRIVATE)) {
                problem(c.at("network"), c.pos("network"), "'" + network + "' is not a network: use host (the host's"
                        + " network, the default) or private (its own network namespace, endpoint ports mapped to it)");
            }
            Boolean userNamespace = c.bool("userNamespace",
                    "userNamespace: true runs the container's users mapped to unprivileged host ids");
            return new ContainerSpec(image, args, env, network, Boolean.TRUE.equals(userNamespace));
        }

        private EndpointManifest endpoint(Obj ep) {
            ep.allowOnly(ENDPOINT_FIELDS);
            String name = ep.name("name", "endpoint", "web");
            String protocol = "tcp";
            String proto = ep.text("protocol", false, "e.g. protocol: http");
            if (proto != null) {
                String lower = proto.toLowerCase(Locale.ROOT);
                if (PROTOCOLS.contains(lower)) {
                    protocol = lower;
                } else {
                    problem(ep.at("protocol"), ep.pos("protocol"), "'" + proto + "' is not a supported protocol; use http, https or tcp");
                }
            }
            Integer port = null;
            BigInteger p = ep.integer("port", false, "give a port number 1..65535, or leave port out to get one allocated");
            if (p != null) {
                if (p.signum() <= 0 || p.compareTo(BigInteger.valueOf(65535)) > 0) {
                    problem(ep.at("port"), ep.pos("port"), p + " is not a valid port; use 1..65535, or leave port out to get one allocated");
                } else {
                    port = p.intValue();
                }
            }
            return new EndpointManifest(name, protocol, port);
        }

        private DefaultServiceManifest defaultService(Obj ds, Map<String, ServiceKind> typeKinds, Set<String> declaredTypes) {
            ds.allowOnly(DEFAULT_SERVICE_FIELDS);
            String name = ds.name("name", "default service", "ServiceA");
            String type = ds.text("serviceType", true, "name the service type it runs, e.g. serviceType: "
                    + (declaredTypes.isEmpty() ? "MyServiceType" : declaredTypes.iterator().next()));
            ServiceKind kind = null;
            if (type != null) {
                if (!declaredTypes.contains(type)) {
                    problem(ds.at("serviceType"), ds.pos("serviceType"), "names service type '" + type
                            + "', which no service package of this application type declares"
                            + Suggestions.didYouMean(type, declaredTypes, "'")
                            + " (declared: " + (declaredTypes.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(declaredTypes))) + ")");
                } else {
                    kind = typeKinds.get(type);
                }
            }
            ActivationMode activation = ActivationMode.SHARED_PROCESS;
            String act = ds.text("activation", false, "e.g. activation: SharedProcess or activation: ExclusiveProcess");
            if (act != null) {
                try {
                    activation = ActivationMode.parse(act);
                } catch (IllegalArgumentException e) {
                    problem(ds.at("activation"), ds.pos("activation"), "'" + act
                            + "' is not an activation mode; use SharedProcess (one process per node for the application)"
                            + " or ExclusiveProcess (one process per replica)");
                }
            }
            PartitionScheme partitions = partitions(ds);
            BigInteger instanceCount = ds.integer("instanceCount", false, "e.g. instanceCount: 3, or -1 for every node");
            BigInteger target = ds.integer("targetReplicaSetSize", false, "e.g. targetReplicaSetSize: 3");
            BigInteger min = ds.integer("minReplicaSetSize", false, "e.g. minReplicaSetSize: 2");
            String placement = ds.text("placementConstraints", false, "e.g. placementConstraints: 'NodeType == \"frontend\"'");

            int instances = 0;
            int targetSize = 0;
            int minSize = 0;
            if (kind == ServiceKind.STATELESS) {
                for (String f : List.of("targetReplicaSetSize", "minReplicaSetSize")) {
                    if (ds.has(f)) {
                        problem(ds.at(f), ds.keyPos(f), "applies to stateful services only; service type '" + type
                                + "' is stateless, so give instanceCount instead");
                    }
                }
                if (!ds.has("instanceCount")) {
                    ds.missing("instanceCount", "a stateless service needs instanceCount: N (N >= 1), or -1 for one instance on every node");
                } else if (instanceCount != null) {
                    if (instanceCount.equals(BigInteger.valueOf(-1))
                            || (instanceCount.signum() > 0 && instanceCount.bitLength() < 32)) {
                        instances = instanceCount.intValue();
                    } else {
                        problem(ds.at("instanceCount"), ds.pos("instanceCount"), instanceCount
                                + " is not a valid instanceCount; use 1 or more, or -1 for one instance on every node");
                    }
                }
            } else if (kind == ServiceKind.STATEFUL) {
                if (ds.has("instanceCount")) {
                    problem(ds.at("instanceCount"), ds.keyPos("instanceCount"), "applies to stateless services only; service type '"
                            + type + "' is stateful, so give targetReplicaSetSize (and minReplicaSetSize) instead");
                }
                if (!ds.has("targetReplicaSetSize")) {
                    ds.missing("targetReplicaSetSize", "a stateful service needs targetReplicaSetSize: N, e.g. 3");
                } else if (target != null) {
                    if (target.signum() > 0 && target.bitLength() < 32) {
                        targetSize = target.intValue();
                    } else {
                        problem(ds.at("targetReplicaSetSize"), ds.pos("targetReplicaSetSize"), target
                                + " is not a valid targetReplicaSetSize; use 1 or more (3 is usual)");
                    }
                }
                if (min == null) {
                    minSize = targetSize;
                } else if (min.signum() <= 0) {
                    problem(ds.at("minReplicaSetSize"), ds.pos("minReplicaSetSize"), min
                            + " is not a valid minReplicaSetSize; use 1 up to targetReplicaSetSize");
                } else if (targetSize > 0 && min.compareTo(BigInteger.valueOf(targetSize)) > 0) {
                    problem(ds.at("minReplicaSetSize"), ds.pos("minReplicaSetSize"), "minReplicaSetSize " + min
                            + " is more than targetReplicaSetSize " + targetSize + "; use 1.." + targetSize);
                } else {
                    minSize = min.intValue();
                }
            }
            ServiceSpec spec = new ServiceSpec(type, kind, activation, partitions, instances, targetSize, minSize, placement);
            return new DefaultServiceManifest(name, spec, loadBalancing(ds));
        }

        /** The optional {@code loadBalancing} of a service type or default service. */
        private LoadBalancing loadBalancing(Obj o) {
            String text = o.text("loadBalancing", false, "e.g. loadBalancing: round-robin (or least-requests, the default)");
            if (text == null) {
                return null;
            }
            try {
                return LoadBalancing.parse(text);
            } catch (IllegalArgumentException e) {
                String guess = Suggestions.closest(text, List.of("round-robin", "least-requests"));
                problem(o.at("loadBalancing"), o.pos("loadBalancing"), "'" + text + "' is not a load balancing; use round-robin"
                        + " or least-requests (the default: fewer requests in flight, of two drawn at random)"
                        + (guess == null ? "" : " (did you mean '" + guess + "'?)"));
                return null;
            }
        }

        private PartitionScheme partitions(Obj ds) {
            Obj p = ds.object("partitions", "e.g. partitions: {scheme: UniformInt64Range, low: 0, high: 99, count: 2}");
            if (p == null) {
                return new PartitionScheme.Singleton();
            }
            String schemeText = p.text("scheme", true,
                    "use Singleton, UniformInt64Range (with low, high, count) or Named (with names), e.g. scheme: Singleton");
            String scheme = null;
            if (schemeText != null) {
                for (String s : SCHEMES) {
                    if (s.equalsIgnoreCase(schemeText)) {
                        scheme = s;
                    }
                }
                if (scheme == null) {
                    String guess = Suggestions.closest(schemeText, SCHEMES);
                    problem(p.at("scheme"), p.pos("scheme"), "'" + schemeText + "' is not a partition scheme; use Singleton,"
                            + " UniformInt64Range (with low, high, count) or Named (with names)"
                            + (guess == null ? "" : "; did you mean '" + guess + "'?"));
                }
            }
            if (scheme == null) {
                p.allowOnly(ALL_PARTITION_FIELDS);
                return null;
            }
            List<String> allowed = SCHEME_FIELDS.get(scheme);
            for (Entry e : p.map.entries().values()) {
                if (!allowed.contains(e.key()) && ALL_PARTITION_FIELDS.contains(e.key())) {
                    problem(p.at(e.key()), e.keyPos(), "does not apply to the " + scheme + " scheme, which takes "
                            + String.join(", ", allowed) + "; remove it");
                }
            }
            p.allowOnly(ALL_PARTITION_FIELDS);
            switch (scheme) {
                case "UniformInt64Range" -> {
                    String hint = "a UniformInt64Range scheme needs low, high and count, e.g. {scheme: UniformInt64Range, low: 0, high: 99, count: 2}";
                    BigInteger low = p.integer("low", true, hint);
                    BigInteger high = p.integer("high", true, hint);
                    BigInteger count = p.integer("count", true, hint);
                    boolean ok = inInt64(p, "low", low) & inInt64(p, "high", high);
                    if (count != null && (count.signum() <= 0 || count.bitLength() > 31)) {
                        problem(p.at("count"), p.pos("count"), count + " is not a valid partition count; count must be at least 1"
                                + (count.signum() > 0 ? " and at most " + Integer.MAX_VALUE : ""));
                        ok = false;
                    }
                    if (low == null || high == null || count == null || !ok) {
                        return null;
                    }
                    if (low.compareTo(high) > 0) {
                        problem(p.at("low"), p.pos("low"), "low (" + low + ") is greater than high (" + high + "); low must be <= high");
                        return null;
                    }
                    BigInteger keys = high.subtract(low).add(BigInteger.ONE);
                    if (count.compareTo(keys) > 0) {
                        problem(p.at("count"), p.pos("count"), "count " + count + " is more than the " + keys + " keys in "
                                + low + ".." + high + "; every partition needs at least one key, so use count <= " + keys);
                        return null;
                    }
                    return new PartitionScheme.UniformInt64Range(low.longValue(), high.longValue(), count.intValue());
                }
                case "Named" -> {
                    String hint = "a Named scheme needs at least one partition name, e.g. names: [eu, us]";
                    Node namesNode = p.value("names");
                    if (namesNode == null) {
                        p.missing("names", hint);
                        return null;
                    }
                    List<String> names = p.strings("names", "e.g. names: [eu, us]");
                    if (!(namesNode instanceof YList)) {
                        return null;
                    }
                    if (names.isEmpty()) {
                        problem(p.at("names"), p.keyPos("names"), "is empty; " + hint);
                        return null;
                    }
                    Map<String, Integer> seen = new HashMap<>();
                    boolean ok = true;
                    for (int i = 0; i < names.size(); i++) {
                        String itemPath = p.at("names") + "[" + i + "]";
                        String n = names.get(i);
                        if (n == null || n.isBlank()) {
                            problem(itemPath, positionOf(itemPath), "partition name is empty; give every partition a name");
                            ok = false;
                            continue;
                        }
                        Integer first = seen.putIfAbsent(n, i);
                        if (first != null) {
                            problem(itemPath, positionOf(itemPath), "partition name '" + n + "' is given twice (also names[" + first
                                    + "]); partition names must be unique");
                            ok = false;
                        }
                    }
                    return ok ? new PartitionScheme.Named(names) : null;
                }
                default -> {
                    return new PartitionScheme.Singleton();
                }
            }
        }

        private boolean inInt64(Obj p, String key, BigInteger value) {
            if (value != null && value.bitLength() > 63) {
                problem(p.at(key), p.pos(key), value + " is outside the Int64 range " + Long.MIN_VALUE + ".." + Long.MAX_VALUE);
                return false;
            }
            return true;
        }

        void noteReferences(String path, SourcePosition pos, String text) {
            for (String name : parameterReferences(text)) {
                paramRefs.add(new ParamRef(path, pos, name));
            }
        }

        SourcePosition positionOf(String path) {
            return positions.getOrDefault(path, SourcePosition.UNKNOWN);
        }

        int lineOf(String path) {
            return positionOf(path).line();
        }

        static boolean hasDotDot(String path) {
            for (String seg : path.split("/")) {
                if (seg.equals("..")) {
                    return true;
                }
            }
            return false;
        }

        /** A mapping being read: its node, its field path, and where to point when one of its fields is missing. */
        final class Obj {
            final YMap map;
            final String path;
            final SourcePosition anchor;

            Obj(YMap map, String path, SourcePosition anchor) {
                this.map = map;
                this.path = path;
                this.anchor = anchor;
                if (!path.isEmpty()) {
                    positions.putIfAbsent(path, anchor);
                }
            }

            String at(String key) {
                return child(path, key);
            }

            boolean has(String key) {
                return map.entries().containsKey(key);
            }

            SourcePosition keyPos(String key) {
                Entry e = map.get(key);
                return e == null ? anchor : e.keyPos();
            }

            /** Where the value of {@code key} starts (its key for mappings and lists, or when empty). */
            SourcePosition pos(String key) {
                Entry e = map.get(key);
                if (e == null) {
                    return anchor;
                }
                return e.value() instanceof YScalar s && !s.isNull() ? s.pos() : e.keyPos();
            }

            /** Reports every field not in {@code known}, suggesting the field probably meant. */
            void allowOnly(List<String> known) {
                for (Entry e : map.entries().values()) {
                    if (known.contains(e.key())) {
                        continue;
                    }
                    String habit = HABITS.get(e.key());
                    String guess = habit != null && known.contains(habit) ? habit : Suggestions.closest(e.key(), known);
                    problem(at(e.key()), e.keyPos(), "unknown field '" + e.key() + "';"
                            + (guess == null ? "" : " did you mean '" + guess + "'?")
                            + " fields here: " + String.join(", ", known));
                }
            }

            /** The value of {@code key}; null when absent or written empty. Records the field's position. */
            Node value(String key) {
                Entry e = map.get(key);
                if (e == null) {
                    return null;
                }
                positions.put(at(key), pos(key));
                if (e.value() instanceof YScalar s && s.isNull()) {
                    return null;
                }
                return e.value();
            }

            void missing(String key, String hint) {
                Entry e = map.get(key);
                if (e != null) {
                    problem(at(key), e.keyPos(), "is empty; " + hint);
                } else {
                    problem(at(key), anchor, "is missing; " + hint);
                }
            }

            String text(String key, boolean required, String hint) {
                Node n = value(key);
                if (n == null) {
                    if (required) {
                        missing(key, hint);
                    }
                    return null;
                }
                if (n instanceof YScalar s) {
                    return s.text();
                }
                problem(at(key), n.pos(), "must be a single value, not " + n.describe() + "; " + hint);
                return null;
            }

            String name(String key, String what, String example) {
                String t = text(key, true, "give the " + what + " a name, e.g. " + key + ": " + example);
                if (t != null) {
                    String p = Names.problem(t);
                    if (p != null) {
                        problem(at(key), pos(key), what + " name " + p + " (e.g. " + example + ")");
                    }
                }
                return t;
            }

            String version(String key) {
                String t = text(key, true, "give a version, e.g. " + key + ": 1.0.0");
                if (t != null && t.isBlank()) {
                    problem(at(key), keyPos(key), "is empty; give a version, e.g. " + key + ": 1.0.0");
                } else if (t != null && !VERSION.matcher(t).matches()) {
                    problem(at(key), pos(key), "'" + t + "' is not a valid version; use letters, digits, '.', '_', '+' or '-'"
                            + " starting with a letter or digit, at most 64 characters, e.g. 1.0.0");
                }
                return t;
            }

            BigInteger integer(String key, boolean required, String hint) {
                Node n = value(key);
                if (n == null) {
                    if (required) {
                        missing(key, hint);
                    }
                    return null;
                }
                if (n instanceof YScalar s && s.token() == JsonToken.VALUE_NUMBER_INT && s.number() instanceof BigInteger b) {
                    return b;
                }
                problem(at(key), n.pos(), "must be a whole number, not " + n.describe() + "; " + hint);
                return null;
            }

            Double decimal(String key, String hint) {
                Node n = value(key);
                if (n == null) {
                    return null;
                }
                if (n instanceof YScalar s && s.isNumber() && s.number() != null) {
                    double d = s.number().doubleValue();
                    if (Double.isFinite(d)) {
                        return d;
                    }
                }
                problem(at(key), n.pos(), "must be a finite number, not " + n.describe() + "; " + hint);
                return null;
            }

            Boolean bool(String key, String hint) {
                Node n = value(key);
                if (n == null) {
                    return null;
                }
                if (n instanceof YScalar s && (s.token() == JsonToken.VALUE_TRUE || s.token() == JsonToken.VALUE_FALSE)) {
                    return s.token() == JsonToken.VALUE_TRUE;
                }
                problem(at(key), n.pos(), "must be true or false, not " + n.describe() + "; " + hint);
                return null;
            }

            /**
             * A duration as {@link Durations} reads it (500ms, 30s, 2m, 1h, PT30S), in whole milliseconds; more than 0
             * unless {@code zeroAllowed}. Null when absent or wrong.
             */
            Duration duration(String key, boolean zeroAllowed, String hint) {
                Node n = value(key);
                if (n == null) {
                    return null;
                }
                if (!(n instanceof YScalar s)) {
                    problem(at(key), n.pos(), "must be a duration, not " + n.describe() + "; " + hint);
                    return null;
                }
                Duration d;
                try {
                    d = Durations.parse(s.text());
                } catch (IllegalArgumentException | ArithmeticException | DateTimeParseException e) {
                    problem(at(key), pos(key), "'" + s.text() + "' is not a duration; write it with a unit (500ms, 30s, 2m, 1h"
                            + " or PT30S), " + hint);
                    return null;
                }
                if (d.isNegative() || (d.isZero() && !zeroAllowed)) {
                    problem(at(key), pos(key), "'" + s.text() + "' is " + (d.isNegative() ? "negative" : "zero") + "; it must be "
                            + (zeroAllowed ? "0 or more" : "more than 0") + ", " + hint);
                    return null;
                }
                if (d.getNano() % 1_000_000 != 0) {
                    problem(at(key), pos(key), "'" + s.text() + "' is finer than a millisecond; round it, " + hint);
                    return null;
                }
                return d;
            }

            /** A whole number of at least 1 (thresholds, counts); null when absent or wrong. */
            Integer atLeastOne(String key, String hint) {
                BigInteger v = integer(key, false, hint);
                if (v == null) {
                    return null;
                }
                if (v.signum() <= 0 || v.bitLength() > 31) {
                    problem(at(key), pos(key), v + " is not valid here; use a whole number of 1 or more, " + hint);
                    return null;
                }
                return v.intValue();
            }

            Obj object(String key, String hint) {
                Node n = value(key);
                if (n == null) {
                    return null;
                }
                if (n instanceof YMap m) {
                    return new Obj(m, at(key), keyPos(key));
                }
                problem(at(key), n.pos(), "must be a mapping, not " + n.describe() + "; " + hint);
                return null;
            }

            /** The list of mappings under {@code key}; empty when absent (a problem when {@code required}). */
            List<Obj> objects(String key, boolean required, String hint) {
                List<Obj> out = new ArrayList<>();
                Node n = value(key);
                if (n == null) {
                    if (required) {
                        missing(key, hint);
                    }
                    return out;
                }
                if (!(n instanceof YList list)) {
                    problem(at(key), n.pos(), "must be a list (one '- ' item each), not " + n.describe()
                            + (hint == null ? "" : "; " + hint));
                    return out;
                }
                if (list.items().isEmpty() && required) {
                    problem(at(key), keyPos(key), "is empty; " + hint);
                }
                for (int i = 0; i < list.items().size(); i++) {
                    Node item = list.items().get(i);
                    String itemPath = at(key) + "[" + i + "]";
                    if (item instanceof YMap m) {
                        out.add(new Obj(m, itemPath, m.pos()));
                    } else {
                        problem(itemPath, item.pos(), "must be a mapping of fields, not " + item.describe());
                    }
                }
                return out;
            }

            /** A list of single values (args, names); parameter references in it are noted. */
            List<String> strings(String key, String hint) {
                List<String> out = new ArrayList<>();
                Node n = value(key);
                if (n == null) {
                    return out;
                }
                if (!(n instanceof YList list)) {
                    problem(at(key), n.pos(), "must be a list, not " + n.describe() + "; " + hint);
                    return out;
                }
                for (int i = 0; i < list.items().size(); i++) {
                    Node item = list.items().get(i);
                    String itemPath = at(key) + "[" + i + "]";
                    positions.put(itemPath, item.pos());
                    if (item instanceof YScalar s) {
                        String t = s.isNull() ? "" : s.text();
                        out.add(t);
                        noteReferences(itemPath, item.pos(), t);
                    } else {
                        problem(itemPath, item.pos(), "must be a single value, not " + item.describe() + "; " + hint);
                    }
                }
                return out;
            }

            /** Environment variables: valid names, single values; parameter references in values are noted. */
            Map<String, String> env(String key) {
                Map<String, String> out = new LinkedHashMap<>();
                Node n = value(key);
                if (n == null) {
                    return out;
                }
                if (!(n instanceof YMap m)) {
                    problem(at(key), n.pos(), "must be a mapping of variable names to values, not " + n.describe()
                            + "; e.g. env: {LOG_LEVEL: info}");
                    return out;
                }
                for (Entry e : m.entries().values()) {
                    String varPath = child(at(key), e.key());
                    positions.put(varPath, e.value() instanceof YScalar s && !s.isNull() ? s.pos() : e.keyPos());
                    if (!ENV_NAME.matcher(e.key()).matches()) {
                        problem(varPath, e.keyPos(), "'" + e.key() + "' is not a valid environment variable name;"
                                + " use letters, digits and '_', not starting with a digit, e.g. LOG_LEVEL");
                    } else if (e.key().toUpperCase(Locale.ROOT).startsWith("CAPSTAN_")) {
                        problem(varPath, e.keyPos(), "variables starting with CAPSTAN_ are set by Capstan for every process;"
                                + " choose another name");
                    }
                    if (e.value() instanceof YScalar s) {
                        String t = s.isNull() ? "" : s.text();
                        out.put(e.key(), t);
                        noteReferences(varPath, positionOf(varPath), t);
                    } else {
                        problem(varPath, e.value().pos(), "must be a single value, not " + e.value().describe()
                                + "; e.g. " + e.key() + ": info");
                    }
                }
                return out;
            }
        }
    }
}
