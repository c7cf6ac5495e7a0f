package io.capstan.agent.cgroup;

import java.io.IOException;
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
