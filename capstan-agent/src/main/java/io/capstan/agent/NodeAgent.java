package io.capstan.agent;

import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.wire.NodeReport;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent: registers and heartbeats its node, watches the node's assignment and converges to it,
 * reports what runs. One instance per node; several may share a JVM (dev mode).
 *
 * <p>{@link #close()} stops the agent but never its workloads: a restarted agent adopts them.
 * {@link #closeAndStopWorkloads(Duration)} also deactivates everything (for a dev cluster's shutdown).
 */
public final class NodeAgent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
    /** Node property telling operators (and constraints) whether cgroup limits hold on this node. */
    public static final String LIMITS_ENFORCED_PROPERTY = "capstan.limitsEnforced";

    private final AgentConfig config;
    private final ControlPlane controlPlane;
    private final boolean ownsControlPlane;
    private final LifeCycle lifeCycle;
    private final List<Thread> loops = new ArrayList<>();
    private volatile ActivationManager manager;
    private Reporter reporter;
    private volatile Heartbeater heartbeater;
    private DataDirLock dataDirLock;
    private volatile LocalApi localApi;

    /** An agent talking HTTP to {@code config.servers()}. */
    public NodeAgent(AgentConfig config) {
        this(config, new HttpControlPlane(config.servers()), true);
    }

    /** An agent over any control plane (tests, or an in-process server); the caller keeps ownership of it. */
    public NodeAgent(AgentConfig config, ControlPlane controlPlane) {
        this(config, controlPlane, false);
    }

    private NodeAgent(AgentConfig config, ControlPlane controlPlane, boolean ownsControlPlane) {
        this.config = config;
        this.controlPlane = controlPlane;
        this.ownsControlPlane = ownsControlPlane;
        this.lifeCycle = new LifeCycle("agent " + config.name());
    }

    /** Adopts what a previous agent left on the data dir, then starts registering, watching and reporting. */
    public void start() throws IOException {
        lifeCycle.transition(LifeCycle.State.STARTING);
        try {
            Files.createDirectories(config.dataDir());
            dataDirLock = DataDirLock.acquire(config.dataDir());
            PackageCache packages = new PackageCache(config.dataDir().resolve("packages"), controlPlane);
            packages.removeTemporaries();
            ServerContact contact = new ServerContact();
            reporter = new Reporter(controlPlane, this::report, config.reportResync(),
                    () -> heartbeater != null && heartbeater.registered(), contact);
            localApi = LocalApi.start(controlPlane);
            // Workloads started from now on find the local API in CAPSTAN_AGENT_API.
            manager = new ActivationManager(config.withLocalApi(localApi.url()), packages, reporter::signal);
            manager.recover();
            NodeCommandRunner commands = new NodeCommandRunner(config.name(), controlPlane, () -> manager);
            NodeLease lease = new NodeLease(System::nanoTime);
            heartbeater = new Heartbeater(controlPlane, this::description, config.heartbeatInterval(), reporter::signal,
                    commands::accept, lease, contact);
            loops.add(loop("heartbeat", heartbeater));
            loops.add(loop("lease", new LeaseKeeper(lease, controlPlane, manager, config.name(), config.heartbeatInterval())));
            loops.add(loop("assignment", new AssignmentWatcher(controlPlane, manager, config.name(), config.assignmentWait(), contact)));
            loops.add(loop("report", reporter));
            lifeCycle.transition(LifeCycle.State.RUNNING);
            log.info("agent {} running (data {}, cgroups {})", config.name(), config.dataDir(), manager.cgroupMode());
        } catch (IOException | RuntimeException e) {
            lifeCycle.transition(LifeCycle.State.CLOSING);
            shutdown();
            lifeCycle.transition(LifeCycle.State.CLOSED);
            throw e;
        }
    }

    /** Stops the agent; workloads keep running for the next agent on this data dir to adopt. Idempotent. */
    @Override
    public void close() {
        if (!beginClose()) {
            return;
        }
        shutdown();
        lifeCycle.transition(LifeCycle.State.CLOSED);
        log.info("agent {} closed; its workloads keep running", config.name());
    }

    /**
     * Stops the agent and deactivates every workload first (SIGTERM, grace, SIGKILL; directories and cgroups
     * removed), waiting up to {@code timeout}; then tells the servers the node runs nothing.
     */
    public void closeAndStopWorkloads(Duration timeout) throws InterruptedException {
        if (!beginClose()) {
            return;
        }
        stopLoops();
        if (manager != null) {
            try {
                manager.deactivateAll(timeout);
            } catch (TimeoutException e) {
                log.warn("agent {}: workloads still stopping after {}", config.name(), timeout);
            }
            try {
                controlPlane.report(report());
            } catch (IOException | RuntimeException e) {
                log.debug("final report not sent: {}", e.toString());
            }
        }
        shutdown();
        lifeCycle.transition(LifeCycle.State.CLOSED);
    }

    public LifeCycle.State state() {
        return lifeCycle.current();
    }

    public AgentConfig config() {
        return config;
    }

    /** The URL of the agent's local API (workloads get it as CAPSTAN_AGENT_API); "" before it started. */
    public String localApiUrl() {
        LocalApi api = localApi;
        return api == null ? "" : api.url();
    }

    /** What the agent reports now: every activation on the node. */
    public NodeReport report() {
        ActivationManager m = manager;
        return new NodeReport(config.name(), m == null ? 0 : m.assignmentIndex(), m == null ? List.of() : m.deployed(),
                m == null ? List.of() : m.usage());
    }

    public AgentStatus status() {
        ActivationManager m = manager;
        return new AgentStatus(config.name(), lifeCycle.current(), heartbeater != null && heartbeater.registered(),
                m == null ? 0 : m.assignmentIndex(), m == null ? null : m.cgroupMode(), m != null && m.limitsEnforced(),
                m == null ? null : m.limitsProblem(), m == null ? 0 : m.deployed().size());
    }

    /** What the agent registers: identity, domains, capacities and properties (plus whether limits are enforced). */
    public NodeDescription description() {
        Map<String, String> properties = new LinkedHashMap<>(config.properties());
        if (manager != null) {
            properties.put(LIMITS_ENFORCED_PROPERTY, Boolean.toString(manager.limitsEnforced()));
        }
        return new NodeDescription(config.name(), config.apiAddress(), config.faultDomain(), config.upgradeDomain(),
                config.capacities(), properties);
    }

    private boolean beginClose() {
        while (true) {
            LifeCycle.State s = lifeCycle.current();
            if (s == LifeCycle.State.CLOSING || s == LifeCycle.State.CLOSED) {
                return false;
            }
            if (s == LifeCycle.State.STARTING) {
                throw new IllegalStateException("agent " + config.name() + " is still starting");
            }
            if (lifeCycle.compareAndTransition(s, LifeCycle.State.CLOSING)) {
                return true;
            }
        }
    }

    private void shutdown() {
        stopLoops();
        if (localApi != null) {
            localApi.close();
        }
        if (manager != null) {
            manager.close();
        }
        if (ownsControlPlane) {
            controlPlane.close();
        }
        if (dataDirLock != null) {
            dataDirLock.close();
        }
    }

    private void stopLoops() {
        loops.forEach(Thread::interrupt);
        for (Thread t : loops) {
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        loops.clear();
    }

    private Thread loop(String what, Runnable body) {
        return Thread.ofVirtual().name("capstan-agent-" + config.name() + "-" + what).start(body);
    }
}
