package io.capstan.agent.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The cgroup of one code package: one directory per v1 controller (memory, cpu, pids) or one v2 directory.
 * The launcher writes the new process into every {@link #procsFiles()}; the stopper reads {@link #procsFile()}.
 */
public record CodePackageCgroup(List<Path> directories) {

    public CodePackageCgroup {
        directories = List.copyOf(directories);
    }

    /** The cgroup.procs file of every directory: a process must join all of them. */
    public List<Path> procsFiles() {
        return directories.stream().map(d -> d.resolve("cgroup.procs")).toList();
    }

    /** One cgroup.procs listing the members (every v1 controller holds the same processes). */
    public Path procsFile() {
        return directories.getFirst().resolve("cgroup.procs");
    }

    /**
     * How many times the kernel's OOM killer killed a process here since the cgroup was made: {@code oom_kill} in
     * memory.oom_control (v1) or memory.events (v2). The cgroup's own count, so an OOM kill is known for what it is,
     * not guessed from an exit status of 137.
     */
    public long oomKills() {
        for (Path dir : directories) {
            for (String file : List.of("memory.oom_control", "memory.events")) {
                Path f = dir.resolve(file);
                if (Files.isRegularFile(f)) {
                    try {
                        for (String line : Files.readAllLines(f)) {
                            if (line.startsWith("oom_kill ")) {
                                return Long.parseLong(line.substring("oom_kill ".length()).trim());
                            }
                        }
                    } catch (IOException | NumberFormatException e) {
                        return 0; // gone with the cgroup
                    }
                }
            }
        }
        return 0;
    }

    /** CPU time used by everything in the cgroup so far, in nanoseconds (cpuacct.usage on v1, cpu.stat on v2); -1 when unknown. */
    public long cpuUsageNanos() {
        for (Path dir : directories) {
            Path stat = dir.resolve("cpu.stat");
            Path acct = dir.resolve("cpuacct.usage");
            try {
                if (Files.isRegularFile(acct)) {
                    return Long.parseLong(Files.readString(acct).trim());
                }
                if (Files.isRegularFile(stat)) {
                    for (String line : Files.readAllLines(stat)) {
                        if (line.startsWith("usage_usec ")) {
                            return Long.parseLong(line.substring("usage_usec ".length()).trim()) * 1000;
                        }
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * The memory the cgroup's processes use, in bytes, as the kernel sees it (and as Kubernetes calls it, the
     * working set): memory.usage_in_bytes less total_inactive_file (v1) or memory.current less inactive_file (v2);
     * -1 when unknown.
     */
    public long memoryBytes() {
        for (Path dir : directories) {
            Path v1 = dir.resolve("memory.usage_in_bytes");
            Path v2 = dir.resolve("memory.current");
            try {
                boolean isV1 = Files.isRegularFile(v1);
                if (!isV1 && !Files.isRegularFile(v2)) {
                    continue;
                }
                long usage = Long.parseLong(Files.readString(isV1 ? v1 : v2).trim());
                String inactiveKey = isV1 ? "total_inactive_file " : "inactive_file ";
                long inactive = 0;
                for (String line : Files.readAllLines(dir.resolve("memory.stat"))) {
                    if (line.startsWith(inactiveKey)) {
                        inactive = Long.parseLong(line.substring(inactiveKey.length()).trim());
                        break;
                    }
                }
                return Math.max(0, usage - inactive);
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    /** Whether every directory is still there (a container runtime removes the cgroup with its container). */
    public boolean exists() {
        return directories.stream().allMatch(Files::isDirectory);
    }

    /** Removes the directories; fails while a process is still inside. */
    public void remove() throws IOException {
        IOException failure = null;
        for (Path dir : directories) {
            try {
                CgroupFiles.removeDirectory(dir);
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
