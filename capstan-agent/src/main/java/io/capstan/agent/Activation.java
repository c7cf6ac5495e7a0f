package io.capstan.agent;

import io.capstan.agent.probe.ProbeContext;
import io.capstan.agent.probe.ProbeRunner;
import io.capstan.agent.image.UnpackedImage;
import io.capstan.agent.process.ContainerLaunch;
import io.capstan.agent.process.LaunchSpec;
import io.capstan.agent.process.ProcessLauncher;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.DeployedServicePackage.ActivationState;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.ContainerSpec;
import io.capstan.model.manifest.EndpointManifest;
import io.capstan.model.manifest.FilesPackageManifest;
import io.capstan.model.manifest.ServicePackageManifest;
import io.capstan.model.manifest.ProcessSpec;
import io.capstan.model.wire.AssignedReplica;
import io.capstan.model.wire.ServicePackageActivation;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One activated copy of a service package on this node: its own directory with a copy of the package, its
 * ports, its record, and a runner per code package (all of them are started, as Service Fabric does).
 *
 * <p>Locking: {@code lock} guards the fields below; a runner is never called while it is held (runners call
 * back into {@link #persist()}), and {@link #persist()} reads runners' records without their monitors.
 */
final class Activation implements CodePackageSupervisor.Host {

    private static final Logger log = LoggerFactory.getLogger(Activation.class);

    /** PREPARING: fetching, copying, allocating; RUNNING: runners own the processes; DETACHED: agent closed. */
    enum Phase { PREPARING, RUNNING, STOPPING, STOPPED, DETACHED }

    /** How an activation asks its manager to be replaced: stopped, then started again with another package. */
    interface Replacer {
        void replace(Activation current, ServicePackageActivation next, String reason);
    }

    private final ActivationKey key;
    private final AgentServices services;
    private final ActivationPaths paths;
    private final String dirName;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final Object lock = new Object();
    private final Object persistLock = new Object();
    private final Replacer replacer;

    private ServicePackageActivation spec;
    private Map<String, Integer> ports = Map.of();
    private Map<String, CodePackageSupervisor> runners = Map.of();
    /** The unpacked image of each container code package, found while preparing (or on the first launch after adoption). */
    private final Map<String, UnpackedImage> images = new java.util.concurrent.ConcurrentHashMap<>();
    private Phase phase;
    private String problem;
    private Instant retryAt;
    private Thread worker;
    /** The content digests of the package folders this copy runs; null when unknown (a record of an older agent). */
    private PackageContents contents;
    /** A newer entry of another application version or package, waiting for {@link #upgrader} to compare contents. */
    private ServicePackageActivation pending;
    private Thread upgrader;
    /** Code packages not yet told about a refresh of config or data packages (persisted: a new agent tells them). */
    private List<String> pendingConfigChange = List.of();

    private Activation(ServicePackageActivation spec, AgentServices services, Path dir, Phase phase, Replacer replacer) {
        this.key = spec.key();
        this.spec = spec;
        this.replacer = replacer;
        this.services = services;
        this.dirName = dir.getFileName().toString();
        this.paths = new ActivationPaths(dir, spec.servicePackage().name());
        this.phase = phase;
    }

    /** A new activation, to be prepared and started by {@link #activate}. */
    static Activation fresh(ServicePackageActivation spec, AgentServices services, Path dir, Replacer replacer) {
        return new Activation(spec, services, dir, Phase.PREPARING, replacer);
    }

    /**
     * An activation a previous agent left behind: adopts its live processes, restarts the dead ones. Config and data
     * links are put back to the versions the record names (a refresh the previous agent had not recorded is undone,
     * and done again when the assignment asks for it), and code packages a recorded refresh had not told yet are told.
     */
    static Activation recover(ActivationRecord record, AgentServices services, Path dir, Replacer replacer) {
        Activation a = new Activation(record.activation(), services, dir, Phase.RUNNING, replacer);
        Map<String, CodePackageSupervisor> runners;
        synchronized (a.lock) {
            a.ports = record.ports();
            record.ports().values().forEach(services.ports()::reserve);
            a.contents = record.contents();
            a.pendingConfigChange = record.pendingConfigChange();
            runners = a.createRunners();
            a.runners = runners;
        }
        a.relinkFilesPackages();
        for (CodePackageSupervisor r : runners.values()) {
            r.recover(record.processes().get(r.name()));
        }
        if (!a.pendingConfigChange.isEmpty()) {
            Thread.ofVirtual().name("capstan-config-change-" + a.dirName).start(a::tellConfigChange);
        }
        return a;
    }

    ActivationKey key() {
        return key;
    }

    ActivationPaths paths() {
        return paths;
    }

    @Override
    public String cgroupName() {
        return dirName;
    }

    CompletableFuture<Void> stopped() {
        return stopped;
    }

    /** Prepares and starts the activation on a virtual thread, once {@code predecessor} (same key, stopping) is gone. */
    void activate(CompletableFuture<Void> predecessor) {
        synchronized (lock) {
            worker = Thread.ofVirtual().name("capstan-activate-" + dirName).unstarted(() -> run(predecessor));
            worker.start();
        }
    }

    /**
     * Why {@code next} needs a restart that the manifests alone show ({@link ActivationChange#fromManifests}), or another
     * package while this copy is still being prepared (nothing runs yet, so starting over costs nothing); else empty.
     */
    Optional<String> restartNeededFor(ServicePackageActivation next) {
        synchronized (lock) {
            if (phase == Phase.PREPARING) {
                return sameRelease(spec, next) ? Optional.empty() : Optional.of("it was still being prepared");
            }
            return ActivationChange.fromManifests(spec.servicePackage(), next.servicePackage()).map(ActivationChange.Restart::reason);
        }
    }

    /**
     * Takes a new assignment entry for the same key. The replica list (and replicas.json) follows at once, nothing
     * restarts. Another application version or package is compared by content on a thread of its own
     * ({@link ActivationChange}): recorded in place, refreshed in place, or replaced.
     */
    void update(ServicePackageActivation next) {
        synchronized (lock) {
            if (phase == Phase.STOPPING || phase == Phase.STOPPED) {
                pending = null;
                return;
            }
            boolean replicasChanged = !spec.replicas().equals(next.replicas());
            if (upgrader == null && sameRelease(spec, next)) {
                if (spec.equals(next)) {
                    return;
                }
                spec = next;
            } else {
                // While an upgrader compares or applies, every entry becomes its next target, even one equal to what
                // runs (a rollback): a version it applies meanwhile is then undone, never left behind.
                pending = next;
                spec = withReplicas(spec, next.replicas());
                if (upgrader == null && phase == Phase.RUNNING) {
                    upgrader = Thread.ofVirtual().name("capstan-upgrade-" + dirName).unstarted(this::upgrade);
                    upgrader.start();
                }
            }
            if (replicasChanged && Files.isDirectory(paths.work())) {
                writeReplicasFile();
            }
        }
        persist();
        services.onChange().run();
    }

    /** Whether {@code b} is {@code a} with, at most, other replicas. */
    private static boolean sameRelease(ServicePackageActivation a, ServicePackageActivation b) {
        return withReplicas(a, b.replicas()).equals(b);
    }

    private static ServicePackageActivation withReplicas(ServicePackageActivation s, List<AssignedReplica> replicas) {
        return new ServicePackageActivation(s.application(), s.applicationTypeName(), s.applicationTypeVersion(),
                s.packageDigest(), s.activationId(), s.mode(), s.servicePackage(), replicas, s.revision());
    }

    /** Stops every code package's process tree, removes cgroups and the directory, frees the ports. */
    CompletableFuture<Void> deactivate() {
        Thread w;
        boolean preparing;
        synchronized (lock) {
            if (phase == Phase.STOPPING || phase == Phase.STOPPED) {
                return stopped;
            }
            preparing = phase == Phase.PREPARING;
            phase = Phase.STOPPING;
            w = worker;
        }
        services.onChange().run();
        Thread.ofVirtual().name("capstan-deactivate-" + dirName).start(() -> {
            try {
                stopWorker(w, preparing);
                stopUpgrader();
                stopRunners();
                services.cgroups().removeActivation(dirName);
                FileTrees.delete(paths.root());
                log.info("deactivated {}", dirName);
            } catch (IOException | RuntimeException e) {
                log.error("deactivating {} did not finish cleanly", dirName, e);
            } finally {
                synchronized (lock) {
                    phase = Phase.STOPPED;
                    ports.values().forEach(services.ports()::release);
                }
                stopped.complete(null);
                services.onChange().run();
            }
        });
        return stopped;
    }

    /** Agent shutdown: stop supervising but leave processes, directory and record for the next agent. */
    void detach() {
        Thread w;
        boolean preparing;
        synchronized (lock) {
            if (phase == Phase.STOPPING || phase == Phase.STOPPED) {
                return;
            }
            preparing = phase == Phase.PREPARING;
            phase = Phase.DETACHED;
            w = worker;
        }
        stopWorker(w, preparing);
        stopUpgrader();
        List<CodePackageSupervisor> rs;
        synchronized (lock) {
            rs = List.copyOf(runners.values());
        }
        rs.forEach(CodePackageSupervisor::detach);
    }

    /**
     * Waits for the activation thread to finish. While it is still preparing (no runner exists, and none will
     * once the phase moved on) it is interrupted out of downloads and backoff sleeps; once it starts runners it
     * is left to finish, because an interrupt there could keep a new pid from reaching the record.
     */
    private static void stopWorker(Thread w, boolean preparing) {
        if (w == null) {
            return;
        }
        if (preparing) {
            w.interrupt();
        }
        joinQuietly(w);
    }

    /** Interrupts a content comparison under way (a download, a copy) and waits for it to end. */
    private void stopUpgrader() {
        Thread u;
        synchronized (lock) {
            u = upgrader;
        }
        if (u != null && u != Thread.currentThread()) {
            u.interrupt();
            joinQuietly(u);
        }
    }

    DeployedServicePackage status() {
        ServicePackageActivation s;
        Phase ph;
        Map<String, Integer> p;
        List<CodePackageSupervisor> rs;
        String why;
        Instant retry;
        synchronized (lock) {
            s = spec;
            ph = phase;
            p = ports;
            rs = List.copyOf(runners.values());
            why = problem;
            retry = retryAt;
        }
        List<CodePackageStatus> codePackages = new ArrayList<>();
        boolean failedOut = false;
        if (rs.isEmpty()) {
            Instant now = Instant.now();
            for (CodePackageManifest cp : s.servicePackage().codePackages()) {
                codePackages.add(new CodePackageStatus(cp.name(),
                        why == null ? CodePackageStatus.State.Starting : CodePackageStatus.State.Backoff,
                        null, null, 0, null, null, retry, false, 0, why, ProbeRunner.initialStatuses(cp.probes(), now), null));
            }
        } else {
            for (CodePackageSupervisor r : rs) {
                codePackages.add(r.status());
                failedOut |= r.failedOut();
            }
        }
        ActivationState state = switch (ph) {
            case STOPPING, STOPPED -> ActivationState.Deactivating;
            case PREPARING -> why == null ? ActivationState.Activating : ActivationState.Failing;
            case RUNNING, DETACHED -> failedOut ? ActivationState.Failed : fromCodePackages(codePackages);
        };
        List<Long> replicaIds = s.replicas().stream().map(AssignedReplica::replicaId).toList();
        return new DeployedServicePackage(services.config().name(), s.application(), s.servicePackage().name(),
                s.servicePackage().version(), s.activationId(), state, p, codePackages, replicaIds, s.applicationTypeVersion(),
                versions(s.servicePackage().configPackages()), versions(s.servicePackage().dataPackages()), s.revision());
    }

    private static Map<String, String> versions(List<FilesPackageManifest> packages) {
        Map<String, String> out = new LinkedHashMap<>();
        packages.forEach(f -> out.put(f.name(), f.version()));
        return out;
    }

    /** Why the activation could not be prepared (null when it could). */
    String problem() {
        synchronized (lock) {
            return problem;
        }
    }

    // ---- CodePackageSupervisor.Host ----

    @Override
    public LaunchSpec launchSpec(String codePackage) throws IOException {
        ServicePackageActivation s;
        Map<String, Integer> p;
        synchronized (lock) {
            s = spec;
            p = ports;
        }
        CodePackageManifest cp = s.servicePackage().codePackage(codePackage)
                .orElseThrow(() -> new IOException("service package has no code package " + codePackage));
        Path dir = paths.codePackage(codePackage);
        Map<String, String> env = ActivationEnvironment.of(services.config(), s, cp, paths, p);
        return switch (cp.run()) {
            case ProcessSpec process -> {
                Path workingDir = process.workingDir() == null || process.workingDir().isBlank()
                        ? dir : dir.resolve(process.workingDir()).normalize();
                Files.createDirectories(workingDir);
                yield new LaunchSpec(ProcessLauncher.resolveCommand(process.command(), dir), process.args(), env,
                        workingDir, paths.stdout(codePackage), paths.stderr(codePackage), List.of());
            }
            case ContainerSpec container -> {
                UnpackedImage image = image(codePackage, container);
                ContainerLaunch launch = ContainerLaunches.of(containerId(dirName, codePackage), paths.bundle(codePackage),
                        image, container, env, hostname(codePackage), dir, paths.work(), paths.log(), cp.resources(),
                        services.cgroups().path(dirName, codePackage), endpointPorts(), s.servicePackage(), paths);
                yield new LaunchSpec(launch.args().getFirst(), launch.args(), Map.of(), paths.bundle(codePackage),
                        paths.stdout(codePackage), paths.stderr(codePackage), List.of(), launch);
            }
        };
    }

    /** The activation's endpoint ports, in a stable order (what a private-network container gets mapped). */
    private List<Integer> endpointPorts() {
        synchronized (lock) {
            return new java.util.TreeSet<>(ports.values()).stream().toList();
        }
    }

    /** The runtime's id for the containers of one code package of one activation (one at a time). */
    static String containerId(String activationDir, String codePackage) {
        return (activationDir + "." + codePackage).replaceAll("[^A-Za-z0-9_.-]", "-");
    }

    /** The container ids this activation's code packages run under. */
    List<String> containerIds() {
        return spec.servicePackage().codePackages().stream().filter(cp -> cp.run() instanceof ContainerSpec)
                .map(cp -> containerId(dirName, cp.name())).toList();
    }

    private String hostname(String codePackage) {
        String h = (codePackage + "-" + dirName).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        return h.length() > 63 ? h.substring(0, 63) : h;
    }

    private UnpackedImage image(String codePackage, ContainerSpec container) throws IOException {
        UnpackedImage known = images.get(codePackage);
        if (known != null) {
            return known;
        }
        try {
            // Found and taken into use in one step no prune can come between.
            return services.images().shared(() -> {
                UnpackedImage found = ContainerLaunches.resolveImage(services.images(), services.registry(), container.image(),
                        paths.codePackage(codePackage));
                images.put(codePackage, found);
                services.images().touch(found.digest());
                return found;
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("resolving the image of " + codePackage + " was interrupted");
        }
    }

    /**
     * The images this activation's containers use: those it resolved, and those its bundles name (a container adopted
     * after an agent restart runs on its rootfs before the image is resolved again).
     */
    java.util.Set<io.capstan.agent.image.Digest> imageDigests() {
        java.util.Set<io.capstan.agent.image.Digest> out = new java.util.HashSet<>();
        images.values().forEach(i -> out.add(i.digest()));
        for (var cp : spec.servicePackage().codePackages()) {
            if (cp.run() instanceof ContainerSpec) {
                Path config = paths.bundle(cp.name()).resolve("config.json");
                try {
                    if (Files.isRegularFile(config)) {
                        Path rootfs = Path.of(services.json().readTree(config.toFile()).path("root").path("path").asText(""));
                        String hex = rootfs.getFileName() == null ? "" : rootfs.getFileName().toString();
                        if (hex.matches("[0-9a-f]{64}")) {
                            out.add(new io.capstan.agent.image.Digest(hex));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    log.warn("cannot read {}: {}", config, e.toString());
                }
            }
        }
        return out;
    }

    @Override
    public ProbeContext probeContext(String codePackage, LaunchSpec launched) {
        Map<String, Integer> p;
        synchronized (lock) {
            p = ports;
        }
        if (launched.container() != null) {
            // Exec checks run inside the container; runc puts them into its cgroup, crun's stay in the agent's.
            return new ProbeContext(codePackage, p, launched.environment(), paths.log(), paths.codePackage(codePackage),
                    paths.log(), services.containerDriver().joinsAgentCgroup() ? launched.cgroupProcs() : List.of(),
                    services.containerDriver().exec(launched.container().containerId()));
        }
        return new ProbeContext(codePackage, p, launched.environment(), launched.workingDir(), paths.codePackage(codePackage),
                paths.log(), launched.cgroupProcs());
    }

    @Override
    public Path stderrLog(String codePackage) {
        return paths.stderr(codePackage);
    }

    @Override
    public void persist() {
        synchronized (persistLock) {
            ActivationRecord record;
            synchronized (lock) {
                if (phase == Phase.STOPPED || !Files.isDirectory(paths.root())) {
                    return;
                }
                Map<String, ProcessRecord> processes = new LinkedHashMap<>();
                for (CodePackageSupervisor r : runners.values()) {
                    ProcessRecord pr = r.record();
                    if (pr != null) {
                        processes.put(r.name(), pr);
                    }
                }
                record = new ActivationRecord(key, spec.servicePackage().version(), spec.packageDigest(), ports,
                        processes, spec, contents, pendingConfigChange);
            }
            try {
                AtomicFiles.write(paths.record(), services.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
            } catch (IOException e) {
                log.error("cannot write the record of {}: a restarted agent could not adopt its processes", dirName, e);
            }
        }
    }

    // ---- upgrades: another application version or package for this running copy ----

    /**
     * Compares each pending entry's package with what runs, by content, and acts on it ({@link ActivationChange}); runs
     * until nothing is pending. Fetching or hashing that fails is retried with backoff while the old version goes on.
     */
    private void upgrade() {
        try {
            compareUntilNothingIsPending();
        } finally {
            synchronized (lock) {
                if (upgrader == Thread.currentThread()) {
                    upgrader = null;
                }
            }
        }
    }

    private void compareUntilNothingIsPending() {
        RetryDelay retry = new RetryDelay(Duration.ofSeconds(1), Duration.ofSeconds(30));
        while (true) {
            ServicePackageActivation target;
            ServicePackageManifest running;
            PackageContents runningContents;
            synchronized (lock) {
                // Decided under the lock that update() takes too, so an entry it adds now starts a new upgrader.
                if (phase != Phase.RUNNING || pending == null || Thread.currentThread().isInterrupted()) {
                    upgrader = null;
                    return;
                }
                target = pending;
                running = spec.servicePackage();
                runningContents = contents;
            }
            try {
                if (target.packageDigest() == null || target.packageDigest().isBlank()) {
                    apply(target, new ActivationChange.Restart("the new entry names no package to compare"), null, null);
                    return;
                }
                Path packageRoot = services.packages().resolve(target.packageDigest());
                PackageContents next = PackageContents.of(services.folderDigests(), target.packageDigest(), packageRoot,
                        target.servicePackage());
                ActivationChange change = ActivationChange.between(running, runningContents, target.servicePackage(), next);
                if (!apply(target, change, next, packageRoot.resolve(target.servicePackage().name()))) {
                    return;
                }
            } catch (InterruptedException | java.io.InterruptedIOException | ClosedByInterruptException e) {
                return;
            } catch (IOException | RuntimeException e) {
                Duration delay = retry.next();
                log.warn("cannot compare {} with version {} of its application: {}; retrying in {}", dirName,
                        target.applicationTypeVersion(), e.toString(), delay);
                try {
                    // Why a fixed delay: fetching or reading the new package failed; the old version keeps running meanwhile.
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Acts on {@code change} towards {@code target}; false when this copy is being replaced (the upgrader ends). */
    private boolean apply(ServicePackageActivation target, ActivationChange change, PackageContents next, Path source)
            throws IOException, InterruptedException {
        synchronized (lock) {
            if (phase != Phase.RUNNING) {
                return false;
            }
            if (pending != target) {
                return true; // superseded while it was compared: the loop takes the newer one
            }
        }
        switch (change) {
            case ActivationChange.Restart r -> {
                ServicePackageActivation replacement;
                synchronized (lock) {
                    if (pending != target) {
                        return true; // a newer entry (a rollback, say) arrived: compare that one instead
                    }
                    replacement = withReplicas(target, spec.replicas());
                }
                replacer.replace(this, replacement, r.reason() + " (version " + target.applicationTypeVersion() + ")");
                return false;
            }
            case ActivationChange.InPlace i -> {
                commit(target, next, List.of());
                log.info("{} moves to version {} of its application in place: its packages are unchanged", dirName,
                        target.applicationTypeVersion());
            }
            case ActivationChange.Refresh rf -> {
                for (FilesPackageManifest.Kind kind : FilesPackageManifest.Kind.values()) {
                    for (String name : rf.of(kind)) {
                        FilesPackageFolders.install(paths, kind, name, source.resolve(name), next.files(kind).get(name));
                    }
                }
                List<String> toTell = target.servicePackage().codePackages().stream().map(CodePackageManifest::name).toList();
                commit(target, next, toTell);
                log.info("{} moves to version {} of its application by refreshing {} in place", dirName,
                        target.applicationTypeVersion(), rf);
                tellConfigChange();
            }
        }
        return true;
    }

    /** Runs {@code target} from now on (with the latest replicas), recorded before any code package is told. */
    private void commit(ServicePackageActivation target, PackageContents next, List<String> toTell) {
        synchronized (lock) {
            spec = withReplicas(target, spec.replicas());
            contents = next;
            pendingConfigChange = List.copyOf(toTell);
            if (pending == target) {
                pending = null;
            }
        }
        persist();
        services.onChange().run();
    }

    /** Tells the code packages still to be told about a refresh (signal or restart), then drops old file versions. */
    private void tellConfigChange() {
        List<CodePackageSupervisor> toTell;
        synchronized (lock) {
            toTell = pendingConfigChange.stream().map(runners::get).filter(Objects::nonNull).toList();
        }
        for (CodePackageSupervisor r : toTell) {
            try {
                r.configChanged();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return; // still recorded as pending: the next agent tells it
            }
        }
        PackageContents c;
        synchronized (lock) {
            pendingConfigChange = List.of();
            c = contents;
        }
        persist();
        if (c == null) {
            return;
        }
        try {
            for (FilesPackageManifest.Kind kind : FilesPackageManifest.Kind.values()) {
                List<String> current = c.files(kind).entrySet().stream()
                        .map(e -> FilesPackageFolders.versionName(e.getKey(), e.getValue())).toList();
                FilesPackageFolders.removeStale(paths, kind, current);
            }
        } catch (IOException e) {
            log.warn("cannot remove old config or data versions of {}: {}", dirName, e.toString());
        }
    }

    /** After an agent restart: each config and data link points at the version the record names. */
    private void relinkFilesPackages() {
        PackageContents c;
        synchronized (lock) {
            c = contents;
        }
        if (c == null) {
            return;
        }
        for (FilesPackageManifest.Kind kind : FilesPackageManifest.Kind.values()) {
            for (Map.Entry<String, String> e : c.files(kind).entrySet()) {
                try {
                    FilesPackageFolders.link(paths, kind, e.getKey(), e.getValue());
                } catch (IOException ex) {
                    log.warn("cannot restore the {} package link {} of {}: {}", kind.word(), e.getKey(), dirName, ex.toString());
                }
            }
        }
    }

    // ---- internals ----

    private void run(CompletableFuture<Void> predecessor) {
        try {
            predecessor.get();
        } catch (InterruptedException e) {
            return;
        } catch (ExecutionException e) {
            // The previous copy failed to clean up completely; it was logged there. Go on.
        }
        RetryDelay retry = new RetryDelay(Duration.ofSeconds(1), Duration.ofSeconds(60));
        while (true) {
            synchronized (lock) {
                if (phase != Phase.PREPARING) {
                    return;
                }
            }
            try {
                prepare();
                break;
            } catch (InterruptedException | ClosedByInterruptException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                Duration delay = retry.next();
                synchronized (lock) {
                    problem = e.getMessage() == null ? e.toString() : e.getMessage();
                    retryAt = Instant.now().plus(delay);
                }
                log.warn("cannot activate {}: {}; retrying in {}", dirName, e.toString(), delay);
                services.onChange().run();
                try {
                    // Why a fixed delay: activation failed (package download, disk); retry with growing backoff, not in a tight loop.
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
        List<CodePackageSupervisor> toStart;
        synchronized (lock) {
            if (phase != Phase.PREPARING) {
                return;
            }
            problem = null;
            retryAt = null;
            runners = createRunners();
            phase = Phase.RUNNING;
            toStart = List.copyOf(runners.values());
        }
        toStart.forEach(CodePackageSupervisor::start);
        services.onChange().run();
    }

    /** Ports, package content, a fresh directory, replicas.json, and last the record that makes it exist on disk. */
    private void prepare() throws IOException, InterruptedException {
        ServicePackageActivation s;
        synchronized (lock) {
            s = spec;
        }
        allocatePorts(s);
        Path packageRoot = null;
        PackageContents c = null;
        if (s.packageDigest() != null && !s.packageDigest().isBlank()) {
            packageRoot = services.packages().resolve(s.packageDigest());
            c = PackageContents.of(services.folderDigests(), s.packageDigest(), packageRoot, s.servicePackage());
        }
        Path source = packageRoot == null ? null : packageRoot.resolve(s.servicePackage().name());
        // Whatever is here is a leftover without a record (records are written last): start clean.
        FileTrees.delete(paths.root());
        Files.createDirectories(paths.root());
        copyCodeContent(s.servicePackage(), source);
        for (FilesPackageManifest.Kind kind : FilesPackageManifest.Kind.values()) {
            for (FilesPackageManifest f : s.servicePackage().filesPackages(kind)) {
                FilesPackageFolders.install(paths, kind, f.name(), source == null ? null : source.resolve(f.name()),
                        c == null ? FolderDigests.ABSENT : c.files(kind).get(f.name()));
            }
        }
        synchronized (lock) {
            contents = c;
        }
        for (CodePackageManifest cp : s.servicePackage().codePackages()) {
            Files.createDirectories(paths.codePackage(cp.name()));
            if (cp.run() instanceof ContainerSpec container) {
                // A bad or corrupt image fails the activation here (Failing, retried), before anything runs.
                image(cp.name(), container);
            }
        }
        Files.createDirectories(paths.work());
        Files.createDirectories(paths.log());
        synchronized (lock) {
            writeReplicasFile();
        }
        persist();
    }

    /** The service package folder but its config and data packages, which live in their own versioned folders. */
    private void copyCodeContent(ServicePackageManifest sp, Path source) throws IOException {
        if (source == null || !Files.isDirectory(source)) {
            return;
        }
        java.util.Set<String> files = new java.util.HashSet<>();
        sp.configPackages().forEach(f -> files.add(f.name()));
        sp.dataPackages().forEach(f -> files.add(f.name()));
        Files.createDirectories(paths.content());
        try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(source)) {
            for (Path e : entries) {
                String name = e.getFileName().toString();
                if (files.contains(name)) {
                    continue;
                }
                if (Files.isDirectory(e, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    FileTrees.copy(e, paths.content().resolve(name));
                } else {
                    Files.copy(e, paths.content().resolve(name), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES,
                            java.nio.file.LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    private void allocatePorts(ServicePackageActivation s) throws IOException {
        synchronized (lock) {
            if (!ports.isEmpty() || s.servicePackage().endpoints().isEmpty()) {
                return;
            }
            Map<String, Integer> allocated = new LinkedHashMap<>();
            try {
                for (EndpointManifest e : s.servicePackage().endpoints()) {
                    int port;
                    if (e.port() != null && e.port() > 0) {
                        port = e.port();
                        services.ports().reserve(port);
                    } else {
                        port = services.ports().allocate();
                    }
                    allocated.put(e.name(), port);
                }
            } catch (IOException e) {
                allocated.values().forEach(services.ports()::release);
                throw e;
            }
            ports = Map.copyOf(allocated);
        }
    }

    /** Writes replicas.json again: the node's fence was raised or lifted ({@link NodeFence}). */
    void fenceChanged() {
        synchronized (lock) {
            if (phase != Phase.STOPPING && phase != Phase.STOPPED && Files.isDirectory(paths.work())) {
                writeReplicasFile();
            }
        }
    }

    /** Whether this activation hosts a Primary by its assignment. */
    boolean hostsPrimary() {
        synchronized (lock) {
            return spec.replicas().stream().anyMatch(r -> r.role() == io.capstan.model.cluster.ReplicaRole.Primary);
        }
    }

    /** Called with {@code lock} held so the file always shows the latest replicas. */
    private void writeReplicasFile() {
        try {
            AtomicFiles.write(paths.replicasFile(), services.fence().replicasFile(spec.replicas(), services.json()));
        } catch (IOException e) {
            log.error("cannot write {}", paths.replicasFile(), e);
        }
    }

    private Map<String, CodePackageSupervisor> createRunners() {
        Map<String, CodePackageSupervisor> created = new LinkedHashMap<>();
        for (CodePackageManifest cp : spec.servicePackage().codePackages()) {
            created.put(cp.name(), new CodePackageSupervisor(cp, this, services, services.driverFor(cp)));
        }
        return created;
    }

    private void stopRunners() {
        List<CodePackageSupervisor> rs;
        synchronized (lock) {
            rs = List.copyOf(runners.values());
        }
        Duration grace = services.config().stopGrace();
        List<Integer> endpointPorts;
        synchronized (lock) {
            endpointPorts = List.copyOf(ports.values());
        }
        // In parallel: the whole activation takes one drain and one grace, not one per code package. The endpoints
        // were unpublished before this runs (the replicas left the assignment, or this activation reports
        // Deactivating), so what a drain waits for is requests already in flight.
        List<Thread> threads = new ArrayList<>();
        for (CodePackageSupervisor r : rs) {
            threads.add(Thread.ofVirtual().name("capstan-stop-" + dirName + "-" + r.name()).start(() -> {
                r.drain(endpointPorts);
                r.stop(grace);
            }));
        }
        threads.forEach(Activation::joinQuietly);
    }

    private static ActivationState fromCodePackages(List<CodePackageStatus> codePackages) {
        boolean starting = false;
        for (CodePackageStatus c : codePackages) {
            if (c.state() == CodePackageStatus.State.Backoff) {
                return ActivationState.Failing;
            }
            if (c.state() != CodePackageStatus.State.Running) {
                starting = true;
            }
        }
        return starting ? ActivationState.Activating : ActivationState.Active;
    }

    private static void joinQuietly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join(TimeUnit.MINUTES.toMillis(5));
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
