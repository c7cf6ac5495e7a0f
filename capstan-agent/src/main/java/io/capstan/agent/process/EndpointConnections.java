package io.capstan.agent.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * How many established TCP connections a code package's endpoint ports hold, read from {@code /proc/<pid>/net/tcp}
 * and {@code tcp6} (the network namespace of that process; the host's when the pid is unknown). A drain waits for
 * these to end: the gateway closes its idle connections to an endpoint once the endpoint leaves its resolution, so
 * what is left are requests in flight.
 */
public final class EndpointConnections {

    /** The state column's value for ESTABLISHED (include/net/tcp_states.h). */
    private static final String ESTABLISHED = "01";

    private EndpointConnections() {
    }

    /** Established connections whose local port is one of {@code ports}, in the network namespace of {@code pid}. */
    public static int established(Long pid, Collection<Integer> ports) {
        Path net = pid == null ? Path.of("/proc/net") : Path.of("/proc", Long.toString(pid), "net");
        int n = 0;
        for (String table : List.of("tcp", "tcp6")) {
            try {
                n += count(Files.readAllLines(net.resolve(table)), ports);
            } catch (IOException | RuntimeException e) {
                // No IPv6, or the process just went away: nothing is held there.
            }
        }
        return n;
    }

    /** Counts the rows of a {@code /proc/net/tcp}-format table (header first) that are established on {@code ports}. */
    static int count(List<String> rows, Collection<Integer> ports) {
        int n = 0;
        for (int i = 1; i < rows.size(); i++) {
            String[] f = rows.get(i).trim().split("\\s+");
            if (f.length < 4 || !ESTABLISHED.equals(f[3])) {
                continue;
            }
            String local = f[1];
            int port = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
            if (ports.contains(port)) {
                n++;
            }
        }
        return n;
    }
}
