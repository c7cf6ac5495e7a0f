package io.capstan.agent.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a code package's whole process tree: SIGTERM to its process group and cgroup, wait the grace,
 * SIGKILL to the group, then SIGKILL to whatever its cgroup still lists. Never signals the agent's own JVM.
 */
public final class ProcessStopper {

    private static final Logger log = LoggerFactory.getLogger(ProcessStopper.class);
    private static final Duration AFTER_KILL = Duration.ofSeconds(5);

    private final String killCommand;
    private final long self = ProcessHandle.current().pid();

    public ProcessStopper() {
        this.killCommand = Executables.find("kill").map(Path::toString).orElse(null);
    }

    /** Stops everything in {@code target}; returns true when nothing is left running. Blocks up to grace + 5 s. */
    public boolean stop(StopTarget target, Duration grace) throws InterruptedException {
        if (members(target).isEmpty()) {
            return true;
        }
        signal(target, Signal.TERM);
        if (awaitGone(target, grace)) {
            return true;
        }
        log.info("process group {} still running {} after SIGTERM: sending SIGKILL", target.pgid(), grace);
        signal(target, Signal.KILL);
        if (awaitGone(target, AFTER_KILL)) {
            return true;
        }
        log.error("processes {} of group {} survived SIGKILL", members(target), target.pgid());
        return false;
    }

    /** SIGKILL at once, for leftovers of a previous run of a code package about to be restarted. */
    public void killNow(StopTarget target) throws InterruptedException {
        if (!members(target).isEmpty()) {
            signal(target, Signal.KILL);
            awaitGone(target, AFTER_KILL);
        }
    }

    /** The live processes of the target: group members (when the group is still ours) and cgroup members. */
    public Set<Long> members(StopTarget target) {
        Set<Long> pids = new TreeSet<>();
        if (groupIsOurs(target)) {
            for (ProcStat s : ProcStat.groupMembers(target.pgid())) {
                pids.add(s.pid());
            }
        }
        pids.addAll(cgroupMembers(target.cgroupProcs()));
        pids.remove(self);
        return pids;
    }

    /**
     * A group id is a pid number that cannot be reused while any member of the group lives. So either the
     * leader is the very process we started (same start time), or no process holds that number and the group
     * (if any) is what remains of ours. A live process with that pid and another start time means the number
     * was reused, our group is long empty, and the group with that id belongs to someone else.
     */
    private boolean groupIsOurs(StopTarget target) {
        if (target.pgid() <= 1 || target.pgid() == self) {
            return false;
        }
        return ProcStat.read(target.pgid())
                .map(s -> !s.alive() || s.startTicks() == target.leaderStartTicks())
                .orElse(true);
    }

    /** Sends {@code signal} to the target's group (when still ours) and every member of its cgroup. */
    public void signal(StopTarget target, Signal signal) throws InterruptedException {
        if (groupIsOurs(target)) {
            signalGroup(target.pgid(), signal);
        }
        for (long pid : cgroupMembers(target.cgroupProcs())) {
            if (pid != self) {
                signalOne(pid, signal);
            }
        }
    }

    /** ProcessHandle sends only TERM and KILL; any other signal goes through kill(1). */
    private void signalOne(long pid, Signal signal) throws InterruptedException {
        if (signal == Signal.KILL || signal == Signal.TERM || killCommand == null) {
            ProcessHandle.of(pid).ifPresent(h -> {
                if (signal == Signal.KILL) {
                    h.destroyForcibly();
                } else {
                    h.destroy();
                }
            });
            return;
        }
        runKill(signal, Long.toString(pid));
    }

    /** kill(1) with {@code signal} on {@code target} (a pid, or "-pgid" for a group); false when it could not run. */
    private boolean runKill(Signal signal, String target) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(killCommand, "-s", signal.name(), "--", target)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (p.waitFor(5, TimeUnit.SECONDS)) {
                return true; // a non-zero status only means the process or group was already gone
            }
            p.destroyForcibly();
        } catch (IOException e) {
            log.warn("cannot run {} for {}", killCommand, target, e);
        }
        return false;
    }

    /** kill(2) on the negative group id is atomic in the kernel, so a member forking right now is caught too. */
    private void signalGroup(long pgid, Signal signal) throws InterruptedException {
        if (killCommand != null && runKill(signal, "-" + pgid)) {
            return;
        }
        for (ProcStat s : ProcStat.groupMembers(pgid)) {
            signalOne(s.pid(), signal);
        }
    }

    private boolean awaitGone(StopTarget target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 10;
        while (!members(target).isEmpty()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            // Processes die within milliseconds of a signal, or hold on for the whole grace: poll fast, then slower.
            Thread.sleep(Math.min(pause, left));
            pause = Math.min(pause * 2, 100);
        }
        return true;
    }

    static Set<Long> cgroupMembers(Path procs) {
        Set<Long> pids = new TreeSet<>();
        if (procs == null) {
            return pids;
        }
        try {
            for (String line : Files.readAllLines(procs)) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (NoSuchFileException e) {
            // The cgroup is already gone: nothing in it.
        } catch (IOException | NumberFormatException e) {
            log.warn("cannot read {}", procs, e);
        }
        return pids;
    }
}
