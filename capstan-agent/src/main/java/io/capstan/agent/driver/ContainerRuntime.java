package io.capstan.agent.driver;

import io.capstan.agent.process.Executables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The OCI runtime a node's containers run with, and how each one is driven so that the container's cgroup
 * outlives the container long enough for the agent to read its OOM kills:
 * <ul>
 *   <li>runc: {@code run --keep} leaves the exited container (and its cgroup, the agent's path) until the agent
 *       deletes it, after reading the exit;</li>
 *   <li>crun: its cgroup manager is disabled and the runtime process joins the agent's cgroup (the container
 *       inherits it), so the cgroup is the agent's alone. crun 1.8 refuses a v1/v2 hybrid whose unified hierarchy
 *       holds controllers even then; on such a machine crun runs in a private mount namespace without that
 *       hierarchy, which it does not use.</li>
 * </ul>
 *
 * @param wrapper what runs in front of the runtime on every call (empty, or the private mount namespace)
 */
public record ContainerRuntime(Kind kind, Path binary, Path stateRoot, List<String> wrapper) {

    /** The runtimes Capstan knows how to drive. */
    public enum Kind {
        RUNC, CRUN;

        /** {@code runc} or {@code crun}, as on the command line. */
        public String command() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ContainerRuntime {
        wrapper = List.copyOf(wrapper);
    }

    /**
     * The kind {@code name} names: {@code runc}, {@code crun}, or a path to one of them.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Kind kindOf(String name) {
        String base = Path.of(name).getFileName().toString();
        for (Kind k : Kind.values()) {
            if (k.command().equals(base)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown container runtime '" + name + "': use runc or crun");
    }

    /**
     * Finds {@code name} (runc, crun or a path to one) on this machine; empty when its binary is missing.
     *
     * @param cgroupRoot the node's cgroup mount, to see whether crun needs the unified hierarchy hidden (may be null)
     */
    public static Optional<ContainerRuntime> find(String name, Path stateRoot, Path cgroupRoot) {
        Kind kind = kindOf(name);
        return Executables.find(name).map(b -> new ContainerRuntime(kind, b, stateRoot,
                kind == Kind.CRUN ? crunWrapper(cgroupRoot) : List.of()));
    }

    /** Whether the runtime process must run inside the code package's cgroup (the container inherits it). */
    public boolean joinsAgentCgroup() {
        return kind == Kind.CRUN;
    }

    /** The command line of a short runtime call ({@code list}, {@code kill}, {@code delete}). */
    public List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(binary.toString());
        if (kind == Kind.CRUN) {
            cmd.add("--cgroup-manager=disabled");
        }
        cmd.add("--root");
        cmd.add(stateRoot.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The command line that runs the container in the foreground until it exits. */
    public List<String> run(Path bundle, String containerId) {
        return kind == Kind.RUNC
                ? command("run", "--keep", "--bundle", bundle.toString(), containerId)
                : command("run", "--bundle", bundle.toString(), containerId);
    }

    /**
     * crun 1.8 says "cgroups in hybrid mode not supported" when /sys/fs/cgroup is a v1 tmpfs and its unified
     * hierarchy offers any controller; it does not look at a hierarchy that is not mounted.
     */
    private static List<String> crunWrapper(Path cgroupRoot) {
        if (cgroupRoot == null) {
            return List.of();
        }
        Path unified = cgroupRoot.resolve("unified");
        try {
            if (Files.isRegularFile(cgroupRoot.resolve("cgroup.controllers"))
                    || !Files.isRegularFile(unified.resolve("cgroup.controllers"))
                    || Files.readString(unified.resolve("cgroup.controllers")).isBlank()) {
                return List.of();
            }
        } catch (IOException e) {
            return List.of();
        }
        String unshare = Executables.find("unshare").map(Path::toString).orElse("unshare");
        return List.of(unshare, "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                "umount " + quote(unified.toString()) + " && exec \"$@\"", "capstan-crun");
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
