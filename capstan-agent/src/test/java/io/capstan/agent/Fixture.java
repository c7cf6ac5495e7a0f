package io.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.agent.process.ProcStat;
import io.capstan.model.ActivationMode;
import io.capstan.model.PartitionKey;
import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.CodePackageProbes;
import io.capstan.model.manifest.RestartPolicy;
import io.capstan.model.manifest.EndpointManifest;
import io.capstan.model.manifest.ProcessSpec;
import io.capstan.model.manifest.ResourceRequest;
import io.capstan.model.manifest.ServicePackageManifest;
import io.capstan.model.manifest.ServiceTypeManifest;
import io.capstan.model.ServiceKind;
import io.capstan.model.wire.AssignedReplica;
import io.capstan.model.wire.NodeAssignment;
import io.capstan.model.wire.ServicePackageActivation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A node for one test: a unique name, a data dir, a package of tiny sh programs, a witness folder where every
 * program writes its pids (so the test can prove none is left), and builders for assignments.
 */
final class Fixture implements AutoCloseable {

    static final String APP_TYPE = "MyAppType";
    static final String SP = "MyServicePackage";
    static final String CP = "MyCodePackage";
    static final String DIGEST = "digest-1";
    static final String CGROUP_ROOT = "/sys/fs/cgroup";
    /** Restarts fast enough for tests, and never so many failures that an activation reports Failed by accident. */
    static final RestartPolicy FAST_RESTARTS =
            new RestartPolicy(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(60), 1000);

    /**
     * The one program every code package runs. It writes its pid to the witness list, its environment and cwd to
     * its work dir, then behaves as {@code $1} says: run (exec sleep), fork (a child, then wait), ignore-term,
     * or exit (fails at once).
     */
    static final String PROGRAM = """
            #!/bin/sh
            echo $$ >> "$WITNESS/pids"
            env | sort > "$CAPSTAN_WORK_DIR/env-$CAPSTAN_CODE_PACKAGE_NAME.txt"
            pwd > "$CAPSTAN_WORK_DIR/pwd-$CAPSTAN_CODE_PACKAGE_NAME"
            echo $$ >> "$CAPSTAN_WORK_DIR/starts-$CAPSTAN_CODE_PACKAGE_NAME"
            echo "hello from $$"
            case "$1" in
              exit) exit 3 ;;
              fork) sleep 1000 & echo $! >> "$WITNESS/pids"; echo $! > "$CAPSTAN_WORK_DIR/child"; wait ;;
              ignore-term) trap '' TERM; sleep 1000 & echo $! >> "$WITNESS/pids"; echo $! > "$CAPSTAN_WORK_DIR/child"; wait ;;
              *) exec sleep 1000 ;;
            esac
            """;

    final String node = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    final Path root;
    final Path packageRoot;
    final Path witness;
    final AgentConfig config;
    private final List<ActivationManager> managers = new ArrayList<>();
    /** The extracted package of each digest the node may fetch; {@value #DIGEST} is {@link #packageRoot}. */
    private final Map<String, Path> packages = new java.util.concurrent.ConcurrentHashMap<>();

    Fixture(Path root) throws IOException {
        this(root, b -> { });
    }

    Fixture(Path root, Consumer<AgentConfig.Builder> tweak) throws IOException {
        this.root = root;
        this.packageRoot = root.resolve("package");
        this.witness = root.resolve("witness");
        packages.put(DIGEST, packageRoot);
        Files.createDirectories(witness);
        writeProgram(CP);
        writeProgram("Helper");
        AgentConfig.Builder b = AgentConfig.builder(node, root.resolve("data"))
                .server("http://127.0.0.1:1")
                .stopGrace(Duration.ofSeconds(2))
                .cgroupRoot(Path.of(CGROUP_ROOT));
        tweak.accept(b);
        this.config = b.build();
    }

    private void writeProgram(String codePackage) throws IOException {
        Path dir = packageRoot.resolve(SP).resolve(codePackage);
        Files.createDirectories(dir);
        Path p = dir.resolve("prog.sh");
        Files.writeString(p, PROGRAM);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A new agent core on this node's data dir, recovered and ready. */
    ActivationManager manager() throws IOException {
        return manager(() -> { });
    }

    /** Like {@link #manager()}, telling {@code onChange} whenever the agent would send a report. */
    ActivationManager manager(Runnable onChange) throws IOException {
        ActivationManager m = new ActivationManager(config, digest -> packages.getOrDefault(digest, packageRoot), onChange);
        m.recover();
        managers.add(m);
        return m;
    }

    /** Another version of the application package, served under {@code digest}: a copy of {@link #packageRoot} to change. */
    Path packageVersion(String digest) throws IOException {
        Path copy = root.resolve("package-" + digest);
        FileTrees.copy(packageRoot, copy);
        packages.put(digest, copy);
        return copy;
    }

    // ---- builders ----

    CodePackageManifest codePackage(String name, String mode, ResourceRequest resources) {
        return new CodePackageManifest(name, "1.0.0",
                new ProcessSpec("./prog.sh", List.of(mode), Map.of("WITNESS", witness.toString(), "GREETING", "hi"), null),
                resources, null, FAST_RESTARTS);
    }

    /** Code package {@value #CP} running {@code program} (see {@link #script}) with these probes and restart policy. */
    CodePackageManifest codePackage(ProcessSpec program, CodePackageProbes probes, RestartPolicy restartPolicy) {
        return new CodePackageManifest(CP, "1.0.0", program, ResourceRequest.NONE, probes, restartPolicy);
    }

    /**
     * Writes {@code content} as the executable {@code fileName} into code package {@value #CP} and returns how to run
     * it (with WITNESS set, so it can list its pids there): {@code interpreter} may be null for a #! script.
     */
    ProcessSpec script(String fileName, String content, String interpreter) throws IOException {
        Path dir = packageRoot.resolve(SP).resolve(CP);
        Files.createDirectories(dir);
        Path p = dir.resolve(fileName);
        Files.writeString(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = Map.of("WITNESS", witness.toString());
        return interpreter == null ? new ProcessSpec("./" + fileName, List.of(), env, null)
                : new ProcessSpec(interpreter, List.of(fileName), env, null);
    }

    /** The python3 to run test servers with, or empty (tests that need one are skipped). */
    static Optional<String> python() {
        for (String p : List.of("/usr/bin/python3", "/usr/local/bin/python3")) {
            if (Files.isExecutable(Path.of(p))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    ServicePackageManifest servicePackage(String version, List<CodePackageManifest> codePackages, List<EndpointManifest> endpoints) {
        return new ServicePackageManifest(SP, version,
                List.of(new ServiceTypeManifest("MyServiceType", ServiceKind.STATELESS, CP)), codePackages, endpoints);
    }

    ServicePackageManifest servicePackage(String mode) {
        return servicePackage("1.0.0", List.of(codePackage(CP, mode, ResourceRequest.NONE)),
                List.of(new EndpointManifest("web", "http", null)));
    }

    static AssignedReplica replica(long id, String service, UUID partition) {
        return new AssignedReplica(id, ServiceName.parse("App1/" + service), "MyServiceType", partition,
                PartitionKey.singleton(), ReplicaRole.None);
    }

    static ServicePackageActivation activation(String app, String activationId, ServicePackageManifest sp,
                                               List<AssignedReplica> replicas) {
        return new ServicePackageActivation(app, APP_TYPE, "1.0.0", DIGEST, activationId,
                activationId.isEmpty() ? ActivationMode.SHARED_PROCESS : ActivationMode.EXCLUSIVE_PROCESS, sp, replicas);
    }

    NodeAssignment assignment(long index, ServicePackageActivation... activations) {
        return new NodeAssignment(node, index, List.of(activations));
    }

    // ---- observation ----

    static Optional<DeployedServicePackage> find(ActivationManager m, ActivationKey key) {
        return m.deployed().stream().filter(d -> d.key().equals(key)).findFirst();
    }

    /** The code package's status whatever the activation's state, if the activation is there. */
    static Optional<CodePackageStatus> status(ActivationManager m, ActivationKey key, String codePackage) {
        return find(m, key).flatMap(d -> d.codePackages().stream().filter(c -> c.name().equals(codePackage)).findFirst());
    }

    /** The code package's status once the activation is Active (all running), else empty. */
    static Optional<CodePackageStatus> running(ActivationManager m, ActivationKey key, String codePackage) {
        return find(m, key)
                .filter(d -> d.state() == DeployedServicePackage.ActivationState.Active)
                .flatMap(d -> d.codePackages().stream().filter(c -> c.name().equals(codePackage)).findFirst())
                .filter(c -> c.pid() != null);
    }

    static Map<String, String> env(ActivationManager m, ActivationKey key, String codePackage) throws IOException {
        Path file = m.activationDir(key).resolve("work").resolve("env-" + codePackage + ".txt");
        Map<String, String> env = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    /** True once the program wrote its env and pwd files (it writes its starts line after them). */
    static boolean envWritten(ActivationManager m, ActivationKey key, String codePackage) {
        Path file = m.activationDir(key).resolve("work").resolve("starts-" + codePackage);
        try {
            return Files.exists(file) && !Files.readString(file).isBlank();
        } catch (IOException e) {
            return false;
        }
    }

    Set<Long> witnessedPids() throws IOException {
        Path f = witness.resolve("pids");
        Set<Long> pids = new HashSet<>();
        if (Files.exists(f)) {
            for (String line : Files.readAllLines(f)) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        }
        return pids;
    }

    static boolean alive(long pid) {
        return ProcStat.read(pid).map(ProcStat::alive).orElse(false);
    }

    Path cgroupNodeDir(String controller) {
        return Path.of(CGROUP_ROOT, controller, "capstan", config.cgroupScope());
    }

    /** Deactivates everything, closes every core, and proves nothing is left: processes, directories, cgroups. */
    @Override
    public void close() throws Exception {
        if (!managers.isEmpty()) {
            ActivationManager last = managers.getLast();
            last.deactivateAll(Duration.ofSeconds(30));
        }
        managers.forEach(ActivationManager::close);
        for (long pid : witnessedPids()) {
            assertThat(alive(pid)).as("process %d left running", pid).isFalse();
        }
        Path activations = config.dataDir().resolve("activations");
        if (Files.isDirectory(activations)) {
            try (var s = Files.list(activations)) {
                assertThat(s.toList()).as("activation directories left").isEmpty();
            }
        }
        for (String c : List.of("memory", "cpu", "pids")) {
            assertThat(cgroupNodeDir(c)).as("cgroup left").doesNotExist();
        }
    }
}
