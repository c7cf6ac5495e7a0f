package io.capstan.agent.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fields of {@code /proc/<pid>/stat} the agent relies on: state, parent, process group, session and
 * start time (clock ticks since boot, field 22), which together with the pid identifies a process for good.
 */
public record ProcStat(long pid, char state, long ppid, long pgrp, long session, long startTicks) {

    private static final Path PROC = Path.of("/proc");

    /** A zombie has exited and only waits to be reaped: for every purpose of the agent it is gone. */
    public boolean alive() {
        return state != 'Z' && state != 'X' && state != 'x';
    }

    /** The process with this pid, if it exists (zombies included; check {@link #alive()}). */
    public static Optional<ProcStat> read(long pid) {
        try {
            return Optional.of(parse(Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"))));
        } catch (IOException | RuntimeException e) {
            // Gone between listing and reading, or never there: both mean "no such process".
            return Optional.empty();
        }
    }

    /** The live process with this pid if it is the one that started at {@code startTicks}. */
    public static Optional<ProcStat> readIfSame(long pid, long startTicks) {
        return read(pid).filter(s -> s.alive() && s.startTicks == startTicks);
    }

    /** Every live process in process group {@code pgrp}. */
    public static List<ProcStat> groupMembers(long pgrp) {
        List<ProcStat> members = new ArrayList<>();
        for (ProcStat s : all()) {
            if (s.pgrp == pgrp && s.alive()) {
                members.add(s);
            }
        }
        return members;
    }

    /** Every process on the machine (as far as /proc shows them). */
    public static List<ProcStat> all() {
        List<ProcStat> result = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, p -> isNumber(p.getFileName().toString()))) {
            for (Path dir : dirs) {
                read(Long.parseLong(dir.getFileName().toString())).ifPresent(result::add);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list /proc", e);
        }
        return result;
    }

    /** Parses one stat line; the command name sits in parentheses and may itself hold spaces and parentheses. */
    static ProcStat parse(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        long pid = Long.parseLong(line.substring(0, open).trim());
        String[] f = line.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state): field n is f[n - 3].
        return new ProcStat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                Long.parseLong(f[19]));
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
