package io.capstan.agent.driver;

import io.capstan.agent.cgroup.CodePackageCgroup;
import io.capstan.agent.process.LaunchSpec;
import io.capstan.agent.process.ProcStat;
import io.capstan.agent.process.ProcessLauncher;
import io.capstan.agent.process.ProcessStopper;
import io.capstan.agent.process.Signal;
import io.capstan.agent.process.StopTarget;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Guest executables: each run is its own session and process group in its cgroups, logging straight to files. */
public final class ProcessDriver implements CodePackageDriver {

    private final ProcessLauncher launcher;
    private final ProcessStopper stopper;

    public ProcessDriver(ProcessLauncher launcher, ProcessStopper stopper) {
        this.launcher = launcher;
        this.stopper = stopper;
    }

    @Override
    public DriverRun start(LaunchSpec spec) throws IOException {
        Process process = launcher.start(spec);
        long ticks = ProcStat.read(process.pid()).map(ProcStat::startTicks).orElse(-1L);
        CompletableFuture<Integer> exit = process.onExit().thenApply(Process::exitValue);
        return new DriverRun(new RunIdentity(process.pid(), ticks, null), exit);
    }

    @Override
    public Optional<DriverRun> adopt(RunIdentity recorded, CodePackageCgroup cgroup) {
        return adoptLive(recorded);
    }

    /** The recorded process if it still lives with its recorded start time; its exit code will be unknown. */
    static Optional<DriverRun> adoptLive(RunIdentity recorded) {
        if (ProcStat.readIfSame(recorded.pid(), recorded.startTicks()).isEmpty()) {
            return Optional.empty();
        }
        return ProcessHandle.of(recorded.pid())
                .map(h -> new DriverRun(recorded, h.onExit().thenApply(x -> (Integer) null)));
    }

    @Override
    public void signal(RunIdentity run, CodePackageCgroup cgroup, Signal signal) throws InterruptedException {
        stopper.signal(target(run, cgroup), signal);
    }

    @Override
    public boolean stop(RunIdentity run, CodePackageCgroup cgroup, Duration grace) throws InterruptedException {
        return stopper.stop(target(run, cgroup), grace);
    }

    @Override
    public void killLeftovers(RunIdentity last, CodePackageCgroup cgroup) throws InterruptedException {
        stopper.killNow(target(last, cgroup));
    }

    static StopTarget target(RunIdentity run, CodePackageCgroup cgroup) {
        return new StopTarget(run == null ? -1 : run.pid(), run == null ? -1 : run.startTicks(),
                cgroup == null ? null : cgroup.procsFile());
    }
}
