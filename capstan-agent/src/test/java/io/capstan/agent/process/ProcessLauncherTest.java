package io.capstan.agent.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessLauncherTest {

    @TempDir
    Path dir;

    @Test
    void theProgramKeepsThePidJavaSeesAndLeadsItsOwnSessionAndGroup() throws Exception {
        Path pidFile = dir.resolve("pid");
        LaunchSpec spec = new LaunchSpec("sh", List.of("-c", "echo $$ > \"$PID_FILE\"; echo out; echo err >&2; exec sleep 1000"),
                Map.of("PID_FILE", pidFile.toString()), dir, dir.resolve("log/x.out"), dir.resolve("log/x.err"), List.of());
        Process p = new ProcessLauncher().start(spec);
        try {
            await().until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
            // util-linux setsid did not fork: the program's pid is the one Java sees.
            assertThat(Long.parseLong(Files.readString(pidFile).trim())).isEqualTo(p.pid());
            ProcStat s = ProcStat.read(p.pid()).orElseThrow();
            assertThat(s.pgrp()).isEqualTo(p.pid());
            assertThat(s.session()).isEqualTo(p.pid());
            await().until(() -> Files.readString(dir.resolve("log/x.out")).equals("out\n")
                    && Files.readString(dir.resolve("log/x.err")).equals("err\n"));

            ProcessStopper stopper = new ProcessStopper();
            StopTarget target = new StopTarget(p.pid(), s.startTicks(), null);
            assertThat(stopper.members(target)).containsExactly(p.pid());
            assertThat(stopper.stop(target, Duration.ofSeconds(5))).isTrue();
            assertThat(p.waitFor()).isEqualTo(128 + 15);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aFailedCgroupJoinMeansTheProgramNeverRuns() throws Exception {
        Path marker = dir.resolve("ran");
        LaunchSpec spec = new LaunchSpec("touch", List.of(marker.toString()), Map.of(), dir, dir.resolve("o"), dir.resolve("e"),
                List.of(dir.resolve("no/such/cgroup.procs")));
        Process p = new ProcessLauncher().start(spec);
        assertThat(p.waitFor()).isEqualTo(ProcessLauncher.CGROUP_JOIN_FAILED);
        assertThat(marker).doesNotExist();
    }

    @Test
    void quotesForTheShell() {
        assertThat(ProcessLauncher.quote("/a b/it's")).isEqualTo("'/a b/it'\\''s'");
    }
}
