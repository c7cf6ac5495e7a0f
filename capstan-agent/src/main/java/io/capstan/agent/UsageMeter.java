package io.capstan.agent;

import io.capstan.agent.cgroup.CodePackageCgroup;
import io.capstan.model.cluster.CodePackageUsage;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Turns cgroup counters into rates: cpu cores used since the previous reading of the same code package (a window
 * shorter than {@link #MIN_WINDOW} keeps the previous rate, so reports 100 ms apart do not report noise), memory as
 * read. The first reading of a cgroup averages over its life so far. Readings of code packages that went away are
 * forgotten.
 */
final class UsageMeter {

    static final Duration MIN_WINDOW = Duration.ofMillis(500);

    /** One code package to read: its identity in the report and its cgroup. */
    record Target(CodePackageUsage identity, CodePackageCgroup cgroup, long runningForNanos) {
    }

    private record Reading(long cpuNanos, long atNanos, double cores) {
    }

    private final LongSupplier nanoTime;
    private final Map<String, Reading> last = new HashMap<>();

    UsageMeter(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Reads every target now; those whose cgroup cannot be read are left out. */
    synchronized List<CodePackageUsage> read(List<Target> targets) {
        Set<String> seen = new HashSet<>();
        List<CodePackageUsage> out = new java.util.ArrayList<>();
        long now = nanoTime.getAsLong();
        for (Target t : targets) {
            long cpu = t.cgroup().cpuUsageNanos();
            long memory = t.cgroup().memoryBytes();
            if (cpu < 0 || memory < 0) {
                continue;
            }
            String key = t.cgroup().directories().getFirst().toString();
            seen.add(key);
            Reading before = last.get(key);
            double cores;
            if (before == null || cpu < before.cpuNanos()) { // first reading, or a new cgroup under the same name
                cores = t.runningForNanos() > 0 ? (double) cpu / t.runningForNanos() : 0;
                last.put(key, new Reading(cpu, now, cores));
            } else if (now - before.atNanos() >= MIN_WINDOW.toNanos()) {
                cores = (double) (cpu - before.cpuNanos()) / (now - before.atNanos());
                last.put(key, new Reading(cpu, now, cores));
            } else {
                cores = before.cores();
            }
            CodePackageUsage id = t.identity();
            out.add(new CodePackageUsage(id.application(), id.servicePackage(), id.activationId(), id.codePackage(),
                    round(cores, 1000), round(memory / (1024.0 * 1024.0), 10)));
        }
        last.keySet().retainAll(seen);
        return out;
    }

    private static double round(double v, double per) {
        return Math.round(v * per) / per;
    }
}
