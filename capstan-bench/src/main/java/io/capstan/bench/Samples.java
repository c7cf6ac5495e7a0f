package io.capstan.bench;

import java.util.List;

/**
 * Order statistics of a benchmark's timings. The median is the upper middle value for an even count (what
 * the benchmarks have always reported); p99 is by nearest rank, so with fewer than 100 samples it is the
 * maximum.
 */
final class Samples {

    /** One row of a results table, in the samples' unit. */
    record Summary(int runs, double median, double p99, double min, double max) {
    }

    private Samples() {
    }

    static Summary summary(List<Double> values) {
        List<Double> sorted = sorted(values);
        return new Summary(sorted.size(), sorted.get(sorted.size() / 2), nearestRank(sorted, 99),
                sorted.get(0), sorted.get(sorted.size() - 1));
    }

    static double median(List<Double> values) {
        List<Double> sorted = sorted(values);
        return sorted.get(sorted.size() / 2);
    }

    private static double nearestRank(List<Double> sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(rank, 1) - 1);
    }

    private static List<Double> sorted(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        return values.stream().sorted().toList();
    }
}
