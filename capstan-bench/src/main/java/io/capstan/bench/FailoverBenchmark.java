package io.capstan.bench;

import io.capstan.agent.NodeAgent;
import io.capstan.dist.Main;
import io.capstan.server.CapstanServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Failover times (issue 3): a killed code package process until its first restart runs again, against
 * starting the same program directly (goal: at most 50 ms of overhead); and a killed node agent until all its
 * replicas are Ready elsewhere, against the configured grace (goal: at most 5 s with default settings).
 * Median and p99 over {@code --runs} runs each; prints a table per scenario and writes every sample to
 * bench-results/failover.json.
 *
 * <pre>
 * --runs 20 --scenario restart|node|both --warmup 1 --cpu 1 --out bench-results/failover.json
 * </pre>
 */
public final class FailoverBenchmark {

    private static final double RESTART_GOAL_MS = 50;
    private static final double NODE_GOAL_MS = 5_000;

    private FailoverBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = BenchArgs.intArg(args, "--runs", 20);
        int warmup = BenchArgs.intArg(args, "--warmup", 1);
        String scenario = BenchArgs.stringArg(args, "--scenario", "both");
        double cpu = Double.parseDouble(BenchArgs.stringArg(args, "--cpu", "1"));
        Path out = Path.of(BenchArgs.stringArg(args, "--out", "bench-results/failover.json"));
        if (runs < 1 || warmup < 0 || cpu <= 0 || !Set.of("restart", "node", "both").contains(scenario)) {
            System.err.println("usage: FailoverBenchmark [--runs N (>= 1, default 20)] [--scenario restart|node|both]"
                    + " [--warmup N (restart scenario, default 1)] [--cpu C (restart scenario's cpu request, default 1)]"
                    + " [--out FILE]");
            System.exit(2);
        }
        System.out.printf(Locale.ROOT, "JVM %s, %d cpus%n", Runtime.version(), Runtime.getRuntime().availableProcessors());
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("codeFrom", codeSources());
        Path dir = Files.createTempDirectory("capstan-failover-bench");
        boolean done = false;
        try (BenchProcesses processes = new BenchProcesses()) {
            if (!scenario.equals("node")) {
                RestartScenario.Result r = new RestartScenario(dir.resolve("restart"), processes, cpu).run(runs, warmup);
                printRestart(r);
                results.put("restart", r.toJson());
                BenchResults.write(out, results);
            }
            if (!scenario.equals("restart")) {
                NodeFailureScenario.Result r = new NodeFailureScenario(dir.resolve("node"), processes).run(runs);
                printNode(r);
                results.put("node", r.toJson());
                BenchResults.write(out, results);
            }
            done = true;
        } finally {
            if (done) {
                BenchFiles.deleteTree(dir);
            } else {
                System.err.println("logs and data kept in " + dir);
            }
        }
    }

    private static void printRestart(RestartScenario.Result r) {
        System.out.println();
        System.out.printf(Locale.ROOT, "process failure -> same replica running again (1 agent in process, code package cpu %s;"
                + " %d runs after %d warm-up)%n", r.codePackageCpu(), r.runs(), r.warmupRuns());
        header();
        row("capstan: SIGKILL -> restarted program connects", Samples.summary(r.capstanMs()));
        row("baseline: spawn -> same program connects", Samples.summary(r.baselineMs()));
        row("overhead (capstan - baseline, per run)", Samples.summary(r.overheadMs()));
        goal("overhead", RESTART_GOAL_MS, Samples.summary(r.overheadMs()));
    }

    private static void printNode(NodeFailureScenario.Result r) {
        System.out.println();
        System.out.printf(Locale.ROOT, "node failure -> all its replicas Ready elsewhere (server + %d agent JVMs, %d partitions x %d"
                        + " replicas + %d instances, default settings; blocking reads)%n", NodeFailureScenario.AGENTS,
                NodeFailureScenario.PARTITIONS, NodeFailureScenario.REPLICAS, NodeFailureScenario.AGENTS);
        header();
        row("capstan: SIGKILL agent -> all Ready elsewhere", Samples.summary(r.killToReady()));
        row("  detection: kill -> node marked Down", Samples.summary(r.killToDown()));
        row("    age of the last heartbeat at the kill", Samples.summary(r.heartbeatAgeAtKill()));
        row("    grace run out -> Down seen (check lag)", Samples.summary(r.downAfterGrace()));
        row("  remainder: Down -> all Ready elsewhere", Samples.summary(r.downToReady()));
        row("    Down -> replacements placed, Primaries set", Samples.summary(r.downToPlaced()));
        row("    placed -> all Ready (activation, reports)", Samples.summary(r.placedToReady()));
        constant("baseline: configured grace (--node-down-after)", NodeFailureScenario.GRACE.toMillis(), "");
        constant("reference: Nomad default heartbeat grace", NodeFailureScenario.NOMAD_HEARTBEAT_GRACE_MS, "+");
        constant("reference: Kubernetes default pod eviction", NodeFailureScenario.KUBERNETES_EVICTION_MS, "+");
        goal("kill -> all Ready", NODE_GOAL_MS, Samples.summary(r.killToReady()));
    }

    private static void header() {
        System.out.printf(Locale.ROOT, "%-50s %5s %9s %9s %9s %9s%n", "ms", "runs", "median", "p99", "min", "max");
    }

    private static void row(String name, Samples.Summary s) {
        System.out.printf(Locale.ROOT, "%-50s %5d %9.1f %9.1f %9.1f %9.1f%n", name, s.runs(), s.median(), s.p99(), s.min(), s.max());
    }

    private static void constant(String name, double ms, String suffix) {
        System.out.printf(Locale.ROOT, "%-50s %5s %9s%n", name, "-", String.format(Locale.ROOT, "%.0f%s", ms, suffix));
    }

    private static void goal(String what, double goalMs, Samples.Summary s) {
        System.out.printf(Locale.ROOT, "goal: %s <= %.0f ms: median %s, p99 %s (p99 of %d runs is their max)%n", what, goalMs,
                s.median() <= goalMs ? "met" : "MISSED", s.p99() <= goalMs ? "met" : "MISSED", s.runs());
    }

    /**
     * Where the Capstan classes were loaded from. Run outside the reactor, Maven resolves them from ~/.m2,
     * which may hold another checkout's build; the numbers then describe that code, so say so.
     */
    private static Map<String, String> codeSources() {
        Map<String, String> sources = new LinkedHashMap<>();
        Path here = Path.of("").toAbsolutePath();
        for (Class<?> c : List.of(Main.class, NodeAgent.class, CapstanServer.class)) {
            String location = c.getProtectionDomain().getCodeSource().getLocation().getPath();
            sources.put(c.getSimpleName(), location);
            if (!Path.of(location).toAbsolutePath().startsWith(here)) {
                System.err.println("WARNING: " + c.getName() + " comes from " + location + ", not from this checkout ("
                        + here + "); see capstan-bench/README.md for running on this checkout's build");
            }
        }
        return sources;
    }
}
