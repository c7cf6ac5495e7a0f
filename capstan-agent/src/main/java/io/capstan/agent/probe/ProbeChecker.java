package io.capstan.agent.probe;

import io.capstan.agent.process.LaunchSpec;
import io.capstan.agent.process.ProcStat;
import io.capstan.agent.process.ProcessLauncher;
import io.capstan.agent.process.ProcessStopper;
import io.capstan.agent.process.StopTarget;
import io.capstan.model.Durations;
import io.capstan.model.cluster.ProbeStatus;
import io.capstan.model.manifest.ProbeSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Performs single checks: an HTTP GET on 127.0.0.1 at an endpoint's port, a TCP connect, or a command run
 * like the code package (same environment, working directory and cgroups, its own process group), each
 * bounded by the probe's timeout. Stateless and shared by all probes of an agent; blocks the calling thread.
 */
public final class ProbeChecker {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** A status line longer than this is not HTTP. */
    private static final int MAX_STATUS_LINE = 1024;
    private static final int MAX_DRAINED_BYTES = 64 * 1024;
    /** How much of an exec probe's output the message quotes. */
    private static final int MAX_OUTPUT_QUOTE = 200;

    private final ProcessLauncher launcher;
    private final ProcessStopper stopper;

    public ProbeChecker(ProcessLauncher launcher, ProcessStopper stopper) {
        this.launcher = launcher;
        this.stopper = stopper;
    }

    /** One check of {@code spec}; never throws for a failing target, only when the calling thread is interrupted. */
    public ProbeResult check(ProbeSpec spec, ProbeStatus.Type type, ProbeContext context) throws InterruptedException {
        ProbeResult result = switch (spec.kind()) {
            case http -> http(spec, context);
            case tcp -> tcp(spec, context);
            case exec -> exec(spec, type, context);
        };
        if (Thread.interrupted()) {
            // Virtual threads' socket calls end with an exception on interrupt: it means "stop", not "failed".
            throw new InterruptedException();
        }
        return result;
    }

    private ProbeResult http(ProbeSpec spec, ProbeContext context) {
        Integer port = context.ports().get(spec.endpoint());
        String what = "GET " + spec.path();
        if (port == null) {
            return ProbeResult.fail("endpoint " + spec.endpoint() + " has no port on this node");
        }
        long deadline = System.nanoTime() + spec.timeout().toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), millisLeft(deadline));
            OutputStream out = socket.getOutputStream();
            // Connection: close, so a server that keeps connections alive still ends the exchange.
            out.write(("GET " + spec.path() + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUser-Agent: capstan-probe\r\n"
                    + "Accept: */*\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String statusLine = readLine(socket, deadline);
            int status = parseStatus(statusLine);
            if (status < 0) {
                return ProbeResult.fail("not an HTTP response from " + what + ": '" + abbreviate(statusLine) + "'");
            }
            boolean ok = spec.expectedStatus() != null ? status == spec.expectedStatus() : status >= 200 && status < 400;
            drain(socket, deadline);
            return new ProbeResult(ok, "HTTP " + status + " from " + what
                    + (ok || spec.expectedStatus() == null ? "" : " (expected " + spec.expectedStatus() + ")"));
        } catch (SocketTimeoutException e) {
            return ProbeResult.fail("timed out after " + Durations.format(spec.timeout()) + " on " + what);
        } catch (ConnectException e) {
            return ProbeResult.fail("connection refused on port " + port);
        } catch (IOException e) {
            return ProbeResult.fail(describe(e) + " on " + what);
        }
    }

    private ProbeResult tcp(ProbeSpec spec, ProbeContext context) {
        Integer port = context.ports().get(spec.endpoint());
        if (port == null) {
            return ProbeResult.fail("endpoint " + spec.endpoint() + " has no port on this node");
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), (int) Math.max(1, spec.timeout().toMillis()));
            return ProbeResult.pass("connected to port " + port);
        } catch (SocketTimeoutException e) {
            return ProbeResult.fail("timed out after " + Durations.format(spec.timeout()) + " connecting to port " + port);
        } catch (ConnectException e) {
            return ProbeResult.fail("connection refused on port " + port);
        } catch (IOException e) {
            return ProbeResult.fail(describe(e) + " connecting to port " + port);
        }
    }

    private ProbeResult exec(ProbeSpec spec, ProbeStatus.Type type, ProbeContext context) throws InterruptedException {
        List<String> command = spec.command();
        if (command.isEmpty()) {
            return ProbeResult.fail("the probe has no command");
        }
        String base = context.codePackage() + "." + type.name().toLowerCase(Locale.ROOT) + "-probe";
        Path output = context.outputDir().resolve(base + ".log");
        Path pidFile = context.outputDir().resolve(base + ".pid");
        LaunchSpec launch;
        if (context.containerExec() != null) {
            // Inside the container: the command is a path (or a name on the container's PATH) in its rootfs.
            List<String> inside = context.containerExec().command(pidFile, command);
            launch = new LaunchSpec(inside.getFirst(), inside.subList(1, inside.size()), Map.of(), context.workingDir(),
                    output, output, context.cgroupProcs());
        } else {
            launch = new LaunchSpec(ProcessLauncher.resolveCommand(command.getFirst(), context.codePackageDir()),
                    command.subList(1, command.size()), context.environment(), context.workingDir(), output, output,
                    context.cgroupProcs());
        }
        Process process;
        try {
            Files.deleteIfExists(output);
            Files.deleteIfExists(pidFile);
            process = launcher.start(launch);
        } catch (IOException e) {
            return ProbeResult.fail("cannot run " + command.getFirst() + ": " + describe(e));
        }
        long ticks = ProcStat.read(process.pid()).map(ProcStat::startTicks).orElse(-1L);
        StopTarget group = new StopTarget(process.pid(), ticks, null);
        try {
            if (!process.waitFor(spec.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                if (context.containerExec() != null) {
                    killInside(pidFile);
                }
                killGroup(group, process);
                return ProbeResult.fail("timed out after " + Durations.format(spec.timeout()) + " running " + command.getFirst());
            }
        } catch (InterruptedException e) {
            if (context.containerExec() != null) {
                killInside(pidFile);
            }
            killGroup(group, process);
            throw e;
        } finally {
            if (context.containerExec() != null) {
                try {
                    Files.deleteIfExists(pidFile);
                } catch (IOException e) {
                    // a stale pid file is replaced by the next check
                }
            }
        }
        int code = process.exitValue();
        String quote = firstLine(output);
        return new ProbeResult(code == 0, "exit code " + code + (code == 0 || quote.isEmpty() ? "" : ": " + quote));
    }

    /**
     * A check inside a container is a child of the container's init, not of the runtime process: killing the
     * runtime's group would leave it running, so it is killed by the host pid the runtime wrote.
     */
    private static void killInside(Path pidFile) {
        try {
            if (Files.isRegularFile(pidFile)) {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (IOException | NumberFormatException e) {
            // the runtime had not written it yet: nothing started inside
        }
    }

    /** The probe's whole group goes, whatever it forked: a hung check must not pile up processes. */
    private void killGroup(StopTarget group, Process process) {
        boolean interrupted = Thread.interrupted();
        try {
            stopper.killNow(group);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            process.destroyForcibly();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Reads the rest of the response (bounded, like Kubernetes' 10 KiB) before closing: closing on a server still
     * writing resets its connection, and the application logs a broken pipe on every probe.
     */
    private static void drain(Socket socket, long deadline) {
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            for (int total = 0; total < MAX_DRAINED_BYTES; ) {
                socket.setSoTimeout(millisLeft(deadline));
                int n = in.read(buffer);
                if (n < 0) {
                    return;
                }
                total += n;
            }
        } catch (IOException e) {
            // The status is what the probe judges; a body cut short by the deadline changes nothing.
        }
    }

    private static String readLine(Socket socket, long deadline) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        while (line.length() < MAX_STATUS_LINE) {
            socket.setSoTimeout(millisLeft(deadline));
            int b = in.read();
            if (b < 0 || b == '\n') {
                break;
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    /** The status code of "HTTP/1.1 200 OK", or -1. */
    static int parseStatus(String statusLine) {
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/") || parts[1].length() != 3) {
            return -1;
        }
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int millisLeft(long deadline) throws SocketTimeoutException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException();
        }
        return (int) Math.min(left, Integer.MAX_VALUE);
    }

    private static String firstLine(Path output) {
        try {
            byte[] bytes;
            try (InputStream in = Files.newInputStream(output)) {
                bytes = in.readNBytes(MAX_OUTPUT_QUOTE * 4);
            }
            String text = new String(bytes, StandardCharsets.UTF_8).strip();
            int nl = text.indexOf('\n');
            return abbreviate(nl < 0 ? text : text.substring(0, nl).strip());
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= MAX_OUTPUT_QUOTE ? s : s.substring(0, MAX_OUTPUT_QUOTE) + "...";
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.toLowerCase(Locale.ROOT).startsWith("connection refused")
                ? "connection refused" : m;
    }
}
