package io.capstan.bench;

import io.capstan.placement.PlacementPlan;
import io.capstan.placement.PlacementPlanner;
import io.capstan.placement.PlacementProblem;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Whole-run placement benchmark: generates a seeded scenario, plans it once with {@link PlacementPlanner},
 * verifies the plan independently, and prints throughput, heap, balance and violations. A baseline runs
 * in the same process on a smaller slice (the planner and a naive scan-all-nodes greedy placer on the
 * same input), so the speed-up means something on a noisy shared machine.
 *
 * <pre>
 * --nodes 10000 --replicas 1000000 --fault-domains 50 --upgrade-domains 10 --seed 42
 * --baseline-nodes 1000 --baseline-replicas 100000 (--no-baseline) --out bench-results/placement.json
 * </pre>
 */
public final class PlacementBenchmark {

    /** One timed planner run and what the verifier found. */
    record Run(String name, int nodes, long replicas, int partitions, double seconds, long peakHeapBytes,
               long gcCount, long gcMillis, PlanVerifier.Report report) {
        double placementsPerSecond() {
            return report.placements() / seconds;
        }
    }

    public static void main(String[] args) throws IOException {
        int nodes = 10_000;
        long replicas = 1_000_000;
        int faultDomains = 50;
        int upgradeDomains = 10;
        long seed = 42;
        int baselineNodes = 1_000;
        long baselineReplicas = 100_000;
        boolean baseline = true;
        Path out = Path.of("bench-results/placement.json");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                case "--replicas" -> replicas = Long.parseLong(args[++i]);
                case "--fault-domains" -> faultDomains = Integer.parseInt(args[++i]);
                case "--upgrade-domains" -> upgradeDomains = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--baseline-nodes" -> baselineNodes = Integer.parseInt(args[++i]);
                case "--baseline-replicas" -> baselineReplicas = Long.parseLong(args[++i]);
                case "--no-baseline" -> baseline = false;
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i] + "\nusage: PlacementBenchmark [--nodes N] [--replicas N]"
                            + " [--fault-domains N] [--upgrade-domains N] [--seed N] [--baseline-nodes N]"
                            + " [--baseline-replicas N] [--no-baseline] [--out FILE]");
                    System.exit(2);
                }
            }
        }
        System.out.printf(Locale.ROOT, "JVM %s, %d cpus, max heap %d MiB%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);

        List<Run> runs = new ArrayList<>();
        Run sliceNaive = null;
        Run slicePlanner = null;
        if (baseline) {
            PlacementScenario slice = PlacementScenario.generate(baselineNodes, baselineReplicas,
                    Math.min(faultDomains, baselineNodes), upgradeDomains, seed);
            slicePlanner = measure("planner (slice)", slice, () -> new PlacementPlanner().plan(slice.problem()));
            sliceNaive = measure("naive greedy (slice)", slice, () -> new NaiveGreedyPlacer().place(slice.problem()));
            runs.add(slicePlanner);
            runs.add(sliceNaive);
        }
        PlacementScenario full = PlacementScenario.generate(nodes, replicas, faultDomains, upgradeDomains, seed);
        Run fullRun = measure("planner (full)", full, () -> new PlacementPlanner().plan(full.problem()));
        runs.add(fullRun);

        printTable(runs);
        if (baseline) {
            System.out.printf(Locale.ROOT, "%nspeed-up over naive greedy on the slice: %.1fx%n",
                    slicePlanner.placementsPerSecond() / sliceNaive.placementsPerSecond());
        }
        writeJson(out, runs, slicePlanner, sliceNaive);
        System.out.println("wrote " + out.toAbsolutePath());
        boolean violations = runs.stream().filter(r -> r.name().startsWith("planner")).anyMatch(r ->
                r.report().constraintViolations() + r.report().capacityViolations() + r.report().duplicateViolations()
                        + r.report().ineligibleViolations() + r.report().primaryViolations() > 0);
        if (violations) {
            System.err.println("the planner violated a hard rule");
            System.exit(1);
        }
    }

    private static Run measure(String name, PlacementScenario scenario, Supplier<PlacementPlan> planner) {
        PlacementProblem problem = scenario.problem();
        System.gc();
        long gcCount0 = gcCount();
        long gcTime0 = gcMillis();
        PlacementPlan plan;
        double seconds;
        long peak;
        try (HeapPeak heap = new HeapPeak()) {
            long start = System.nanoTime();
            plan = planner.get();
            seconds = (System.nanoTime() - start) / 1e9;
            heap.observeNow();
            sleepQuietly(200); // GC notifications arrive on another thread
            peak = heap.peakBytes();
        }
        long gcCount = gcCount() - gcCount0;
        long gcMillis = gcMillis() - gcTime0;
        long replicas = plan.placements().size() + plan.failures().stream().mapToLong(f -> f.wanted() - f.placed()).sum();
        PlanVerifier.Report report = PlanVerifier.verify(problem, plan, scenario.constraintChecks());
        System.out.printf(Locale.ROOT, "%s: %.2f s%n", name, seconds);
        return new Run(name, problem.nodes().size(), replicas, problem.partitions().size(), seconds, peak,
                gcCount, gcMillis, report);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    private static void printTable(List<Run> runs) {
        String fmt = "%-22s %7s %9s %10s %8s %12s %9s %9s %14s %14s %11s %8s %8s %8s %8s%n";
        System.out.println();
        System.out.printf(Locale.ROOT, fmt, "run", "nodes", "replicas", "partitions", "wall s", "placements/s",
                "peak MiB", "GCs(ms)", "cpu max/min", "mem max/min", "replicas/n", "constr.", "capacity",
                "FD>1", "UD>1");
        for (Run r : runs) {
            PlanVerifier.Report rep = r.report();
            System.out.printf(Locale.ROOT, fmt, r.name(), r.nodes(), r.replicas(), r.partitions(),
                    String.format(Locale.ROOT, "%.2f", r.seconds()),
                    String.format(Locale.ROOT, "%,.0f", r.placementsPerSecond()),
                    r.peakHeapBytes() >> 20, r.gcCount() + "(" + r.gcMillis() + ")",
                    balance(rep, "cpu"), balance(rep, "memoryMiB"),
                    rep.minReplicasPerNode() + "-" + rep.maxReplicasPerNode(),
                    rep.constraintViolations(), rep.capacityViolations(),
                    rep.faultDomainSpreadViolations(), rep.upgradeDomainSpreadViolations());
        }
        System.out.println("max/min = most / least utilised eligible node (load / capacity), with the two utilisations;"
                + " FD>1, UD>1 = partitions breaking the max-difference-1 spread rule.");
        for (Run r : runs) {
            PlanVerifier.Report rep = r.report();
            System.out.printf(Locale.ROOT, "%s: placed %d, %d partitions short by %d replicas, duplicates %d,"
                            + " on ineligible nodes %d, primary errors %d%n", r.name(), rep.placements(),
                    rep.failedPartitions(), rep.missingReplicas(), rep.duplicateViolations(),
                    rep.ineligibleViolations(), rep.primaryViolations());
        }
    }

    private static String balance(PlanVerifier.Report rep, String metric) {
        return rep.balance().stream().filter(b -> b.metric().equals(metric)).findFirst()
                .map(b -> String.format(Locale.ROOT, "%.2f(%.2f/%.2f)", b.ratio(), b.maxUtilisation(), b.minUtilisation()))
                .orElse("-");
    }

    private static void writeJson(Path out, List<Run> runs, Run slicePlanner, Run sliceNaive) throws IOException {
        StringBuilder sb = new StringBuilder("{\n  \"benchmark\": \"placement\",\n");
        sb.append("  \"jvm\": \"").append(Runtime.version()).append("\",\n");
        sb.append("  \"cpus\": ").append(Runtime.getRuntime().availableProcessors()).append(",\n");
        sb.append("  \"maxHeapMiB\": ").append(Runtime.getRuntime().maxMemory() >> 20).append(",\n");
        if (slicePlanner != null) {
            sb.append(String.format(Locale.ROOT, "  \"speedupOverNaiveOnSlice\": %.3f,%n",
                    slicePlanner.placementsPerSecond() / sliceNaive.placementsPerSecond()));
        }
        sb.append("  \"runs\": [\n");
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            PlanVerifier.Report rep = r.report();
            sb.append("    {");
            sb.append(String.format(Locale.ROOT, "\"name\": \"%s\", \"nodes\": %d, \"replicas\": %d, \"partitions\": %d, "
                            + "\"wallSeconds\": %.3f, \"placementsPerSecond\": %.0f, \"peakHeapMiB\": %d, \"gcCount\": %d, "
                            + "\"gcMillis\": %d, \"placed\": %d, \"failedPartitions\": %d, \"missingReplicas\": %d, "
                            + "\"constraintViolations\": %d, \"capacityViolations\": %d, \"duplicateViolations\": %d, "
                            + "\"ineligibleViolations\": %d, \"primaryViolations\": %d, \"faultDomainSpreadViolations\": %d, "
                            + "\"upgradeDomainSpreadViolations\": %d, \"replicasPerNodeMin\": %d, \"replicasPerNodeMax\": %d, ",
                    r.name(), r.nodes(), r.replicas(), r.partitions(), r.seconds(), r.placementsPerSecond(),
                    r.peakHeapBytes() >> 20, r.gcCount(), r.gcMillis(), rep.placements(), rep.failedPartitions(),
                    rep.missingReplicas(), rep.constraintViolations(), rep.capacityViolations(), rep.duplicateViolations(),
                    rep.ineligibleViolations(), rep.primaryViolations(), rep.faultDomainSpreadViolations(),
                    rep.upgradeDomainSpreadViolations(), rep.minReplicasPerNode(), rep.maxReplicasPerNode()));
            sb.append("\"balance\": {");
            for (int m = 0; m < rep.balance().size(); m++) {
                PlanVerifier.MetricBalance b = rep.balance().get(m);
                sb.append(String.format(Locale.ROOT, "%s\"%s\": {\"maxMinRatio\": %.4f, \"maxUtilisation\": %.4f, "
                                + "\"minUtilisation\": %.4f, \"meanUtilisation\": %.4f}", m == 0 ? "" : ", ", b.metric(),
                        Double.isInfinite(b.ratio()) ? -1 : b.ratio(), b.maxUtilisation(), b.minUtilisation(),
                        b.meanUtilisation()));
            }
            sb.append("}}").append(i + 1 < runs.size() ? ",\n" : "\n");
        }
        sb.append("  ]\n}\n");
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, sb.toString());
    }
}
