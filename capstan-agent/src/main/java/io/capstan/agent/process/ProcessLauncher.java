package io.capstan.agent.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a code package as its own session and process group, inside its cgroups, without a race:
 * {@code /bin/sh -c 'echo $$ > <cgroup.procs>...; exec setsid "$@"' capstan-launch cmd args...}.
 * The shell moves itself into the cgroups before exec, so everything the program forks starts inside them;
 * util-linux setsid does not fork when its caller is not a group leader (a child of the JVM is not),
 * so the pid Java sees is the program's pid, its process group id and its session id.
 * stdout/stderr append straight to files (no pipe to the agent) so the process survives an agent restart.
 */
public final class ProcessLauncher {

    /** The shell's exit status when it could not join a cgroup: the program never ran. */
    public static final int CGROUP_JOIN_FAILED = 125;

    private static final File DEV_NULL = new File("/dev/null");

    private final Path setsid;

    public ProcessLauncher() {
        this.setsid = Executables.find("setsid")
                .orElseThrow(() -> new IllegalStateException("util-linux setsid is required but was not found"));
    }

    public Process start(LaunchSpec spec) throws IOException {
        StringBuilder script = new StringBuilder();
        for (Path procs : spec.cgroupProcs()) {
            script.append("echo $$ > ").append(quote(procs.toString()))
                    .append(" || exit ").append(CGROUP_JOIN_FAILED).append("; ");
        }
        script.append("exec ").append(quote(setsid.toString())).append(" \"$@\"");
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", script.toString(), "capstan-launch", spec.command()));
        command.addAll(spec.args());
        Files.createDirectories(spec.stdout().getParent());
        Files.createDirectories(spec.stderr().getParent());
        ProcessBuilder pb = new ProcessBuilder(command).directory(spec.workingDir().toFile());
        pb.environment().putAll(spec.environment());
        pb.redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(spec.stdout().toFile()));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(spec.stderr().toFile()));
        return pb.start();
    }

    /**
     * A command with no slash is left for setsid's execvp to find on PATH; a relative one lives in the code package
     * folder (not the working directory, which a manifest may move).
     */
    public static String resolveCommand(String command, Path codePackageDir) {
        if (!command.contains("/")) {
            return command;
        }
        Path p = Path.of(command);
        return p.isAbsolute() ? command : codePackageDir.resolve(p).normalize().toString();
    }

    /** Single-quotes a word for sh. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
