package io.capstan.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds the code package processes a cluster started, independently of what the agents report:
 * each one leads its own session (the agent starts it with setsid) and carries CAPSTAN_API and
 * CAPSTAN_NODE_NAME in its environment, which /proc exposes. Children it forks share its session
 * and are not counted.
 */
final class NodeProcesses {

    /** A live workload process and the Capstan variables in its environment. */
    record Workload(long pid, Map<String, String> env) {
        String node() {
            return env.get("CAPSTAN_NODE_NAME");
        }
    }

    private NodeProcesses() {
    }

    /** Every live code package process (session leader) of a node of the cluster whose API is {@code api}. */
    static List<Workload> of(String api) {
        return scan(api, true);
    }

    /**
     * SIGKILLs every process of the cluster's workloads, the children code packages forked included (they
     * inherit the environment): killing only the leaders would orphan them. For cleanup after a test whose
     * agents were killed outright.
     */
    static void killAll(String api) {
        // Twice: a child could be forked between the scan and the kill of its parent.
        for (int round = 0; round < 2; round++) {
            all(api).forEach(w -> ProcessHandle.of(w.pid()).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    /** Every live process of the cluster's workloads, children included. */
    static List<Workload> all(String api) {
        return scan(api, false);
    }

    private static List<Workload> scan(String api, boolean leadersOnly) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .map(p -> read(p, leadersOnly))
                    .filter(w -> w != null && api.equals(w.env().get("CAPSTAN_API")))
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Workload read(Path proc, boolean leadersOnly) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long pid = Long.parseLong(proc.getFileName().toString());
            if (fields[0].equals("Z") || (leadersOnly && Long.parseLong(fields[3]) != pid)) {
                return null; // a zombie is already dead; a non-leader is a child of a code package
            }
            byte[] raw = Files.readAllBytes(proc.resolve("environ"));
            Map<String, String> env = new HashMap<>();
            for (String kv : new String(raw, StandardCharsets.UTF_8).split("\0")) {
                int eq = kv.indexOf('=');
                if (eq > 0 && kv.startsWith("CAPSTAN_")) {
                    env.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            return env.isEmpty() ? null : new Workload(pid, env);
        } catch (IOException | RuntimeException e) {
            return null; // the process ended while we looked
        }
    }
}
