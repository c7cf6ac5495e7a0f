package io.capstan.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Every OS process a benchmark started, ended when it is closed or the JVM shuts down (Ctrl-C included):
 * in-process clusters first (so no agent restarts what is killed next), then the processes it started
 * itself, then every workload of its clusters, then what they leave behind (cgroups). Agents leave workloads
 * running by design (they lead their own sessions and survive their agent), so those are found in /proc by the
 * CAPSTAN_API in their environment.
 */
final class BenchProcesses implements AutoCloseable {

    private final List<AutoCloseable> closeFirst = new CopyOnWriteArrayList<>();
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final Set<String> apis = ConcurrentHashMap.newKeySet();
    private final List<Runnable> afterAll = new CopyOnWriteArrayList<>();
    private final Thread hook = new Thread(this::endAll, "bench-cleanup");

    BenchProcesses() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** An in-process cluster (or anything whose close stops processes): closed at most once, here or by the caller. */
    AutoCloseable closeFirst(AutoCloseable resource) {
        AutoCloseable once = new CloseOnce(resource);
        closeFirst.add(once);
        return once;
    }

    Process track(Process process) {
        processes.add(process);
        return process;
    }

    /** Kills a tracked process (SIGKILL) and waits for it. */
    void kill(Process process) throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        processes.remove(process);
    }

    /** Workloads whose CAPSTAN_API is {@code api} belong to this benchmark and are killed at the end. */
    void trackApi(String api) {
        apis.add(api);
    }

    /** Runs once everything is dead (removing what dead processes leave behind); must be idempotent. */
    void afterAll(Runnable cleanup) {
        afterAll.add(cleanup);
    }

    @Override
    public void close() {
        endAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook runs (or ran) endAll too, which is idempotent.
        }
    }

    private synchronized void endAll() {
        for (AutoCloseable c : List.copyOf(closeFirst)) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
        for (Process p : List.copyOf(processes)) {
            p.destroyForcibly();
        }
        for (Process p : List.copyOf(processes)) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            processes.remove(p);
        }
        killWorkloads(apis);
        for (Runnable r : afterAll) {
            try {
                r.run();
            } catch (RuntimeException e) {
                System.err.println("cleanup: " + e);
            }
        }
    }

    /** SIGKILLs every workload of the clusters serving {@code apis}; call once their agents are gone. */
    void killWorkloads(Set<String> apis) {
        // A few rounds: a workload's own child could be forked between a scan and its kill.
        for (int round = 0; round < 5; round++) {
            List<Long> left = workloadsOf(apis, false);
            if (left.isEmpty()) {
                return;
            }
            left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            try {
                // Why a fixed delay: give killed processes' children a moment to show up in the next scan.
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        List<Long> survivors = workloadsOf(apis, false);
        if (!survivors.isEmpty()) {
            System.err.println("cleanup: workload processes survived SIGKILL: " + survivors);
        }
    }

    /**
     * The live processes whose environment holds CAPSTAN_API set to one of {@code apis}; with
     * {@code leadersOnly}, only session leaders (the code package processes themselves, not their children).
     */
    static List<Long> workloadsOf(Set<String> apis, boolean leadersOnly) {
        List<Long> out = new ArrayList<>();
        if (apis.isEmpty()) {
            return out;
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.toList()) {
                String name = proc.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit) && belongs(proc, apis, leadersOnly)) {
                    out.add(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return out;
    }

    private static boolean belongs(Path proc, Set<String> apis, boolean leadersOnly) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            // Fields after the parenthesised command: state, ppid, pgrp, session, ...
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (fields[0].equals("Z")) {
                return false; // already dead, waiting for its parent
            }
            if (leadersOnly && !fields[3].equals(proc.getFileName().toString())) {
                return false;
            }
            String env = new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8);
            for (String kv : env.split("\0")) {
                if (kv.startsWith("CAPSTAN_API=") && apis.contains(kv.substring("CAPSTAN_API=".length()))) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false; // it ended while we looked, or is not ours to read
        }
    }

    /** Closes its resource once, whoever asks first, and leaves the list of what is still to close. */
    private final class CloseOnce implements AutoCloseable {
        private final AutoCloseable resource;
        private final AtomicBoolean closed = new AtomicBoolean();

        CloseOnce(AutoCloseable resource) {
            this.resource = resource;
        }

        @Override
        public void close() throws Exception {
            if (closed.compareAndSet(false, true)) {
                closeFirst.remove(this);
                resource.close();
            }
        }
    }
}
