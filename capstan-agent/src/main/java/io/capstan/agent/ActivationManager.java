package io.capstan.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.agent.cgroup.CgroupMode;
import io.capstan.agent.cgroup.Cgroups;
import io.capstan.agent.cgroup.CodePackageCgroup;
import io.capstan.agent.driver.ContainerDriver;
import io.capstan.agent.driver.ContainerRuntime;
import io.capstan.agent.driver.ProcessDriver;
import io.capstan.agent.image.ImagePruner;
import io.capstan.agent.image.ImageStore;
import io.capstan.agent.image.RegistryPuller;
import io.capstan.agent.probe.ProbeChecker;
import io.capstan.agent.process.ProcessLauncher;
import io.capstan.agent.process.ProcessStopper;
import io.capstan.agent.process.StopTarget;
import io.capstan.model.CapstanJson;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.CodePackageUsage;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.wire.NodeAssignment;
import io.capstan.model.wire.ServicePackageActivation;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's core: converges this node's activations to its assignment (activate the new, update the changed
 * in place, replace the ones with another package, deactivate the rest), adopts what a previous agent left
 * running, and says what it observes. Closing it leaves workloads running; only deactivation stops them.
 */
public final class ActivationManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ActivationManager.class);

    private final AgentConfig config;
    private final AgentServices services;
    private final Path activationsDir;
    private final LogRotator logRotator;
    private final ExecutorTimers timers;
    private final UsageMeter usageMeter = new UsageMeter(System::nanoTime);
    private final ImagePruner imagePruner;
    /** How often unused images are checked against the image policy. */
    static final Duration IMAGE_PRUNE_INTERVAL = Duration.ofMinutes(5);

    // Guarded by this.
    private final Map<ActivationKey, Activation> active = new LinkedHashMap<>();
    private final Set<Activation> stopping = new HashSet<>();
    private final Map<ActivationKey, CompletableFuture<Void>> lastStop = new LinkedHashMap<>();
    private long assignmentIndex;
    /** The assignment the fence was last lifted on: an older one that arrives afterwards was read before it. */
    private long liftedAtIndex;
    private boolean recovered;
    private boolean closed;

    /**
     * @param packages where package content comes from
     * @param onChange called (from any thread, must not block) whenever something observable changed
     */
    public ActivationManager(AgentConfig config, PackageStore packages, Runnable onChange) {
        this.config = config;
        this.activationsDir = config.dataDir().resolve("activations");
        this.logRotator = new LogRotator(config.logRotation());
        this.timers = new ExecutorTimers(config.name());
        ObjectMapper json = CapstanJson.newMapper();
        ProcessLauncher launcher = new ProcessLauncher();
        ProcessStopper stopper = new ProcessStopper();
        ImageStore images = new ImageStore(config.dataDir().resolve("images"), json);
        this.services = new AgentServices(config, packages, launcher, stopper,
                Cgroups.detect(config.cgroupRoot(), config.cgroupScope()), new PortAllocator(config.endpointPorts()),
                timers, Clock.systemUTC(), new ProcessDriver(launcher, stopper),
                new ContainerDriver(ContainerRuntime.find(config.containerRuntime(), config.dataDir().resolve("runtime"),
                        config.cgroupRoot()).orElse(null), config.containerRuntime(), launcher, stopper, json),
                images, new RegistryPuller(images, json, credentials(config)), onChange, json,
                new ProbeChecker(launcher, stopper), new FolderDigests(), new NodeFence());
        this.imagePruner = new ImagePruner(images, this::imagesInUse, services.clock(), config.imagePolicy());
        timers.every(config.logRotation().checkInterval(), this::rotateLogs);
        timers.every(IMAGE_PRUNE_INTERVAL, this::pruneImages);
    }

    /**
     * Reads every activation record on disk: live recorded processes (same pid and start time) are adopted,
     * dead ones restarted; directories without a record and cgroups no record explains are removed.
     * Call once, before the first {@link #converge}.
     */
    public synchronized void recover() throws IOException {
        if (recovered) {
            return;
        }
        recovered = true;
        Files.createDirectories(activationsDir);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(activationsDir, Files::isDirectory)) {
            for (Path dir : dirs) {
                recoverOne(dir);
            }
        }
        sweepUnknownCgroups();
        sweepUnknownContainers();
    }

    /** Containers in this agent's runtime state that no recovered activation explains are killed and removed. */
    private void sweepUnknownContainers() {
        Set<String> known = new HashSet<>();
        active.values().forEach(a -> known.addAll(a.containerIds()));
        for (String id : services.containerDriver().containers()) {
            if (!known.contains(id)) {
                log.warn("removing container {} of node {}: no activation record explains it", id, config.name());
                services.containerDriver().delete(id);
            }
        }
        // A network set up for a run that never started (the agent died in between) has no container to go with.
        for (String id : services.containerDriver().networks()) {
            if (!known.contains(id)) {
                log.warn("removing the network of container {} of node {}: no activation record explains it", id, config.name());
                services.containerDriver().delete(id);
            }
        }
    }

    private void recoverOne(Path dir) {
        Path recordFile = dir.resolve(ActivationPaths.RECORD);
        if (!Files.isRegularFile(recordFile)) {
            // Records are written before any process starts, so no process belongs to this leftover.
            log.info("removing {}: an activation that never got as far as starting", dir);
            deleteQuietly(dir);
            return;
        }
        ActivationRecord record;
        try {
            record = services.json().readValue(recordFile.toFile(), ActivationRecord.class);
            if (record.activation() == null || record.activation().servicePackage() == null) {
                throw new IOException("the record names no service package");
            }
        } catch (IOException | RuntimeException e) {
            log.error("cannot read {}; its processes (if any) will be stopped through its cgroups", recordFile, e);
            deleteQuietly(dir);
            return;
        }
        Activation a = Activation.recover(record, services, dir, this::replace);
        if (active.putIfAbsent(a.key(), a) != null) {
            log.error("{} records activation {} a second time; stopping that copy", dir, a.key());
            a.deactivate();
            return;
        }
        log.info("recovered activation {} from {}", a.key(), dir);
    }

    /** A cgroup of this node with no activation behind it holds processes nobody tracks: end them. */
    private void sweepUnknownCgroups() {
        Set<String> known = new HashSet<>();
        active.values().forEach(a -> known.add(a.cgroupName()));
        try {
            for (String name : services.cgroups().activations()) {
                if (known.contains(name)) {
                    continue;
                }
                log.warn("stopping processes in cgroup {} of node {}: no activation record explains them", name, config.name());
                for (CodePackageCgroup c : services.cgroups().codePackagesOf(name)) {
                    services.stopper().stop(new StopTarget(-1, -1, c.procsFile()), config.stopGrace());
                    try {
                        c.remove();
                    } catch (IOException e) {
                        log.warn("cannot remove {}: {}", c.directories(), e.toString());
                    }
                }
                services.cgroups().removeActivation(name);
            }
        } catch (IOException e) {
            log.warn("cannot list the cgroups of node {}: {}", config.name(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Converges the node to {@code assignment}; returns at once, the work happens on virtual threads. */
    public synchronized void converge(NodeAssignment assignment) {
        if (closed) {
            return;
        }
        if (!recovered) {
            throw new IllegalStateException("recover() must run before the first converge()");
        }
        if (assignment.index() < liftedAtIndex) {
            // Read before the fresh assignment the fence was lifted on: converging it would bring back what the
            // cluster decided against while this node was cut off. Only once: a server whose state was reset is
            // followed from its next answer on.
            log.info("assignment {} is older than {}, which lifted the fence: ignored", assignment.index(), liftedAtIndex);
            liftedAtIndex = 0;
            return;
        }
        liftedAtIndex = 0;
        assignmentIndex = assignment.index();
        Map<ActivationKey, ServicePackageActivation> wanted = new LinkedHashMap<>();
        for (ServicePackageActivation a : assignment.activations()) {
            if (wanted.put(a.key(), a) != null) {
                log.warn("assignment {} lists activation {} twice; using the last", assignment.index(), a.key());
            }
        }
        for (var it = active.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                it.remove();
                beginDeactivation(e.getValue());
            }
        }
        for (ServicePackageActivation w : wanted.values()) {
            Activation current = active.get(w.key());
            if (current == null) {
                startActivation(w);
            } else {
                Optional<String> restart = current.restartNeededFor(w);
                if (restart.isPresent()) {
                    log.info("activation {} changes package: replacing it because {}", w.key(), restart.get());
                    active.remove(w.key());
                    beginDeactivation(current);
                    startActivation(w);
                } else {
                    current.update(w);
                }
            }
        }
        Set<String> inUse = new HashSet<>();
        wanted.values().forEach(w -> inUse.add(w.packageDigest()));
        // In order with the assignments: a prune from an older one never deletes what a newer one wants.
        services.packages().retainOnly(inUse);
        services.folderDigests().retainOnly(inUse);
        services.onChange().run();
    }

    /**
     * Demotes every replica this node hosts as Primary in its activation's replicas file (see {@link NodeFence}); no
     * process restarts. Stays so, for activations started meanwhile too, until {@link #liftFence}.
     */
    public synchronized void fence(String why) {
        if (services.fence().fenced()) {
            return;
        }
        services.fence().set(true);
        long primaries = active.values().stream().filter(Activation::hostsPrimary).count();
        if (primaries > 0) {
            log.warn("{}: demoting the Primaries of {} activation(s) until the cluster is heard from again", why, primaries);
        }
        active.values().forEach(Activation::fenceChanged);
        services.onChange().run();
    }

    /**
     * Converges to {@code fresh} (read after the lease came back) and then lifts the fence, if {@code leaseHeld} still
     * says so; returns whether it did. Replicas files then show the roles {@code fresh} assigns.
     */
    public synchronized boolean liftFence(NodeAssignment fresh, java.util.function.BooleanSupplier leaseHeld) {
        if (closed || !leaseHeld.getAsBoolean()) {
            return false;
        }
        converge(fresh);
        liftedAtIndex = fresh.index();
        if (services.fence().fenced()) {
            services.fence().set(false);
            active.values().forEach(Activation::fenceChanged);
        }
        return true;
    }

    /** Every activation on this node as observed now (ones being deactivated included). */
    public synchronized List<DeployedServicePackage> deployed() {
        List<DeployedServicePackage> result = new ArrayList<>();
        for (Activation a : active.values()) {
            result.add(a.status());
        }
        for (Activation a : stopping) {
            if (!active.containsKey(a.key())) {
                result.add(a.status());
            }
        }
        return result;
    }

    /**
     * What each running code package uses now, measured in its cgroup (none without cgroups): what the agent sends with
     * its reports, for {@code capstan node show}.
     */
    public List<CodePackageUsage> usage() {
        if (!services.cgroups().enforced()) {
            return List.of();
        }
        List<Activation> all;
        synchronized (this) {
            all = List.copyOf(active.values());
        }
        java.time.Instant now = services.clock().instant();
        List<UsageMeter.Target> targets = new ArrayList<>();
        for (Activation a : all) {
            DeployedServicePackage d = a.status();
            for (CodePackageStatus cp : d.codePackages()) {
                CodePackageCgroup cgroup = cp.state() == CodePackageStatus.State.Running
                        ? services.cgroups().existing(a.cgroupName(), cp.name()) : null;
                if (cgroup == null) {
                    continue;
                }
                long runningFor = cp.startedAt() == null ? 0 : Math.max(0, Duration.between(cp.startedAt(), now).toNanos());
                targets.add(new UsageMeter.Target(new CodePackageUsage(d.application(), d.servicePackage(),
                        d.activationId(), cp.name(), 0, 0), cgroup, runningFor));
            }
        }
        return usageMeter.read(targets);
    }

    /** The node's images: list, prune, and the policy that removes unused ones. */
    public ImagePruner images() {
        return imagePruner;
    }

    /** Pulls an image by reference (capstan image pull); the same pull as an activation's, shared if one runs. */
    public io.capstan.agent.image.UnpackedImage pullImage(String reference) throws IOException, InterruptedException {
        io.capstan.agent.image.ImageReference ref = io.capstan.agent.image.ImageReference.parse(reference);
        return services.images().shared(() -> services.registry().pull(ref));
    }

    /** The images any activation (active or stopping) uses now. */
    private Set<io.capstan.agent.image.Digest> imagesInUse() {
        List<Activation> all;
        synchronized (this) {
            all = new ArrayList<>(active.values());
            all.addAll(stopping);
        }
        Set<io.capstan.agent.image.Digest> used = new HashSet<>();
        all.forEach(a -> used.addAll(a.imageDigests()));
        return used;
    }

    private void pruneImages() {
        try {
            imagePruner.enforcePolicy();
        } catch (IOException | RuntimeException e) {
            // A scheduled task that throws is never run again: log and carry on.
            log.warn("cannot prune the images of node {}: {}", config.name(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static io.capstan.agent.image.RegistryCredentials credentials(AgentConfig config) {
        try {
            return io.capstan.agent.image.RegistryCredentials.read(config.registryCredentials());
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The index of the last assignment converged to (0 before the first). */
    public synchronized long assignmentIndex() {
        return assignmentIndex;
    }

    /** The cgroup a code package of an activation runs in now, if it has one (for usage readings). */
    public Optional<CodePackageCgroup> cgroupOf(ActivationKey key, String codePackage) {
        Activation a;
        synchronized (this) {
            a = active.get(key);
        }
        return a == null ? Optional.empty() : Optional.ofNullable(services.cgroups().existing(a.cgroupName(), codePackage));
    }

    public CgroupMode cgroupMode() {
        return services.cgroups().mode();
    }

    /** Whether code package resource limits are enforced (cgroups writable). */
    public boolean limitsEnforced() {
        return services.cgroups().enforced();
    }

    /** Why limits are not enforced, or null. */
    public String limitsProblem() {
        return services.cgroups().notEnforcedReason();
    }

    /** The directory of an activation on this node. */
    public Path activationDir(ActivationKey key) {
        return activationsDir.resolve(directoryName(key));
    }

    /** {@link ActivationKey#directoryName()}, made safe as one path segment and cgroup name whatever the server sent. */
    static String directoryName(ActivationKey key) {
        String name = key.directoryName().replaceAll("[^A-Za-z0-9_.-]", "_");
        return name.startsWith(".") ? "_" + name.substring(1) : name;
    }

    /** Deactivates everything (dev-mode shutdown) and waits up to {@code timeout} for it to finish. */
    public void deactivateAll(Duration timeout) throws InterruptedException, TimeoutException {
        List<CompletableFuture<Void>> pending;
        synchronized (this) {
            for (Activation a : List.copyOf(active.values())) {
                active.remove(a.key());
                beginDeactivation(a);
            }
            pending = new ArrayList<>(lastStop.values());
        }
        services.onChange().run();
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            log.error("deactivation failed", e.getCause());
        }
    }

    /** Stops supervising; every process keeps running for the next agent to adopt. Deactivations under way finish. */
    @Override
    public void close() {
        List<Activation> toDetach;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toDetach = List.copyOf(active.values());
        }
        toDetach.forEach(Activation::detach);
        timers.close();
    }

    /**
     * An activation whose new package turned out, by content, to need a restart: stopped, then started with {@code next},
     * unless a later assignment replaced or removed it meanwhile.
     */
    private void replace(Activation current, ServicePackageActivation next, String reason) {
        synchronized (this) {
            if (closed || active.get(current.key()) != current) {
                return;
            }
            log.info("activation {} changes package: replacing it because {}", current.key(), reason);
            active.remove(current.key());
            beginDeactivation(current);
            startActivation(next);
        }
        services.onChange().run();
    }

    private void startActivation(ServicePackageActivation spec) {
        Activation a = Activation.fresh(spec, services, activationDir(spec.key()), this::replace);
        active.put(a.key(), a);
        // Same key being stopped (a replacement): its directory and cgroup names are ours, wait until they are gone.
        a.activate(lastStop.getOrDefault(a.key(), CompletableFuture.completedFuture(null)));
    }

    /** {@code done} completes only after the bookkeeping, so whoever waits on it sees the activation gone. */
    private void beginDeactivation(Activation a) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        stopping.add(a);
        lastStop.put(a.key(), done);
        a.deactivate().whenComplete((v, e) -> {
            synchronized (ActivationManager.this) {
                stopping.remove(a);
                lastStop.remove(a.key(), done);
            }
            done.complete(null);
        });
    }

    private void rotateLogs() {
        List<Activation> all;
        synchronized (this) {
            all = List.copyOf(active.values());
        }
        for (Activation a : all) {
            try {
                logRotator.rotateAll(a.paths().log());
            } catch (IOException | RuntimeException e) {
                // A scheduled task that throws is never run again: log and carry on.
                log.warn("cannot rotate the logs of {}: {}", a.cgroupName(), e.toString());
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", dir, e.toString());
        }
    }
}
