package io.capstan.agent.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.agent.cgroup.CodePackageCgroup;
import io.capstan.agent.process.ContainerLaunch;
import io.capstan.agent.process.LaunchSpec;
import io.capstan.agent.process.ProcStat;
import io.capstan.agent.process.ProcessLauncher;
import io.capstan.agent.process.ProcessStopper;
import io.capstan.agent.process.Signal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OCI containers through runc (or crun) in foreground mode: {@code runc --root <state> run --keep --bundle B id} is
 * started like a process (own session and group, stdout/stderr straight to the log files; the container runs in the
 * code package's cgroup, see {@link ContainerRuntime}), so the runtime process is what the agent records, waits for
 * and adopts; its exit status is the container's. The exited container stays until the next start or the stop, so
 * the supervisor reads its cgroup's OOM kills first. Stopping signals the runtime (which forwards to the container's
 * pid 1) and the cgroup, then {@code delete --force} removes whatever the runtime still keeps for the container.
 */
public final class ContainerDriver implements CodePackageDriver {

    private static final Logger log = LoggerFactory.getLogger(ContainerDriver.class);

    private final ContainerRuntime runtime;
    private final String runtimeName;
    private final ContainerNetwork network;
    private final ProcessLauncher launcher;
    private final ProcessStopper stopper;
    private final ObjectMapper json;

    /**
     * @param runtime     the runtime, or null when the node has none (every start then fails, saying so)
     * @param runtimeName what the agent was told to use (runc, crun), for that message
     */
    public ContainerDriver(ContainerRuntime runtime, String runtimeName, ProcessLauncher launcher, ProcessStopper stopper,
                           ObjectMapper json) {
        this.runtime = runtime;
        this.runtimeName = runtimeName;
        this.network = new ContainerNetwork(runtime == null ? java.nio.file.Path.of("/nonexistent")
                : runtime.stateRoot().resolveSibling("network"), json);
        this.launcher = launcher;
        this.stopper = stopper;
        this.json = json;
    }

    @Override
    public DriverRun start(LaunchSpec spec) throws IOException {
        ContainerLaunch c = spec.container();
        if (c == null) {
            throw new IOException("not a container launch");
        }
        requireRuntime();
        delete(c.containerId()); // a previous run the runtime did not clean up would hold the id
        if (c.userNamespace()) {
            // The runtime mounts the rootfs and the bound folders as the container's (unprivileged) root: it must be able
            // to reach them. runc 1.1 has no id-mapped mounts, so a folder closed to others above the data dir stops it.
            requireSearchable(c.rootfs());
            for (ContainerLaunch.BindMount m : c.mounts()) {
                requireSearchable(m.source());
            }
            // The container's root is an unprivileged host uid: give it the folders it writes (work, log).
            for (ContainerLaunch.BindMount m : c.mounts()) {
                if (!m.readOnly()) {
                    java.nio.file.Files.setAttribute(m.source(), "unix:uid", io.capstan.model.manifest.ContainerSpec.MAPPED_UID_BASE);
                    java.nio.file.Files.setAttribute(m.source(), "unix:gid", io.capstan.model.manifest.ContainerSpec.MAPPED_UID_BASE);
                }
            }
        }
        Path netns = c.privateNetwork() ? network.attach(c.containerId(), c.publishedPorts()) : null;
        try {
            OciBundle.write(c, json, netns);
        } catch (IOException | RuntimeException e) {
            network.detach(c.containerId());
            throw e;
        }
        List<String> command = runtime.run(c.bundle(), c.containerId());
        LaunchSpec run = new LaunchSpec(command.getFirst(), command.subList(1, command.size()), spec.environment(),
                c.bundle(), spec.stdout(), spec.stderr(),
                // runc stays outside and puts the container into cgroupsPath (kept after the exit by run --keep);
                // crun, with its cgroup manager off, joins the code package's cgroup and the container inherits it.
                runtime.joinsAgentCgroup() ? spec.cgroupProcs() : List.of());
        Process process = launcher.start(run);
        long ticks = ProcStat.read(process.pid()).map(ProcStat::startTicks).orElse(-1L);
        CompletableFuture<Integer> exit = process.onExit().thenApply(Process::exitValue);
        return new DriverRun(new RunIdentity(process.pid(), ticks, c.containerId()), exit);
    }

    @Override
    public Optional<DriverRun> adopt(RunIdentity recorded, CodePackageCgroup cgroup) {
        // The foreground runtime process outlives the agent like any process: adopt it the same way.
        return ProcessDriver.adoptLive(recorded);
    }

    @Override
    public void signal(RunIdentity run, CodePackageCgroup cgroup, Signal signal) throws InterruptedException {
        if (run != null && run.containerId() != null) {
            // The runtime delivers it to the container's init; runc's own group is left alone, since the foreground runc
            // would forward the signal a second time.
            runtime("kill", run.containerId(), signal.name());
        }
        if (cgroup != null) {
            stopper.signal(ProcessDriver.target(null, cgroup), signal);
        }
    }

    @Override
    public boolean stop(RunIdentity run, CodePackageCgroup cgroup, Duration grace) throws InterruptedException {
        if (run != null && run.containerId() != null) {
            runtime("kill", run.containerId(), "TERM");
        }
        boolean gone = stopper.stop(ProcessDriver.target(run, cgroup), grace);
        if (run != null && run.containerId() != null) {
            delete(run.containerId());
        }
        return gone;
    }

    @Override
    public void killLeftovers(RunIdentity last, CodePackageCgroup cgroup) throws InterruptedException {
        stopper.killNow(ProcessDriver.target(last, cgroup));
        if (last != null && last.containerId() != null) {
            delete(last.containerId());
        }
    }

    /**
     * How exec probes run inside {@code containerId} ({@code <runtime> exec}, with the container's own environment
     * and working directory); null when the node has no runtime.
     */
    public io.capstan.agent.probe.ProbeContext.ContainerExec exec(String containerId) {
        return runtime == null ? null : new io.capstan.agent.probe.ProbeContext.ContainerExec(runtime.command("exec"),
                containerId);
    }

    /** Whether commands run through the runtime must be put into the code package's cgroup by the agent (crun). */
    public boolean joinsAgentCgroup() {
        return runtime != null && runtime.joinsAgentCgroup();
    }

    /** The ids of the containers this agent set a private network up for (an agent that died mid-way leaves some). */
    public List<String> networks() {
        return network.attached();
    }

    /** The ids of every container in this agent's runtime state (to remove those no record explains). */
    public List<String> containers() {
        List<String> ids = new ArrayList<>();
        if (runtime == null) {
            return ids;
        }
        String out = runtime("list", "-q");
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                ids.add(line.trim());
            }
        }
        return ids;
    }

    /** Kills and removes a container, the runtime's state for it and its private network; nothing happens when there is none. */
    public void delete(String containerId) {
        if (runtime != null) {
            runtime("delete", "--force", containerId);
        }
        network.detach(containerId);
    }

    /** Every folder above {@code path} lets other users through (o+x), or the start fails naming the one that does not. */
    private static void requireSearchable(Path path) throws IOException {
        for (Path p = path.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            var perms = java.nio.file.Files.getPosixFilePermissions(p);
            if (!perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                throw new IOException("a container with userNamespace: true runs as an unprivileged host user, which cannot"
                        + " reach " + path + " through " + p + ": let other users through it (chmod o+x " + p
                        + ") or give the agent a --data folder they can reach");
            }
        }
    }

    private void requireRuntime() throws IOException {
        if (runtime == null) {
            throw new IOException("this node has no container runtime: " + runtimeName + " was not found (apt-get install "
                    + runtimeName + ", or start the agent with --container-runtime "
                    + ("crun".equals(runtimeName) ? "runc" : "crun") + ")");
        }
    }

    /** Runs a short runtime command; returns its output. Failures (a container already gone) are only logged. */
    private String runtime(String... args) {
        List<String> cmd = runtime.command(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                log.warn("{} did not finish in 30 s", String.join(" ", cmd));
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                log.debug("{}: {}", String.join(" ", cmd), text.strip());
            }
            return text;
        } catch (IOException e) {
            log.warn("cannot run {}: {}", String.join(" ", cmd), e.toString());
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
