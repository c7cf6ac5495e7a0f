package io.capstan.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The rules a {@link ServiceSpec} must follow whatever it came from (a manifest's default service
 * or an API request). Each problem names the field and what would fix it.
 */
public final class ServiceSpecRules {

    private ServiceSpecRules() {
    }

    /** Every problem with the spec; empty when it is valid. */
    public static List<String> problems(ServiceSpec spec) {
        List<String> problems = new ArrayList<>();
        if (spec.kind() == ServiceKind.STATELESS) {
            if (spec.instanceCount() == 0 || spec.instanceCount() < -1) {
                problems.add("instanceCount: " + spec.instanceCount()
                        + " is not valid for a stateless service; use 1 or more, or -1 for one on every node");
            }
            if (spec.targetReplicaSetSize() != 0 || spec.minReplicaSetSize() != 0) {
                problems.add("targetReplicaSetSize/minReplicaSetSize: only stateful services have replica sets; "
                        + "use instanceCount for a stateless service");
            }
        } else {
            if (spec.targetReplicaSetSize() < 1) {
                problems.add("targetReplicaSetSize: " + spec.targetReplicaSetSize()
                        + " is not valid for a stateful service; use 1 or more (3 is typical)");
            } else if (spec.minReplicaSetSize() < 1 || spec.minReplicaSetSize() > spec.targetReplicaSetSize()) {
                problems.add("minReplicaSetSize: " + spec.minReplicaSetSize() + " must be between 1 and targetReplicaSetSize ("
                        + spec.targetReplicaSetSize() + ")");
            }
            if (spec.instanceCount() != 0) {
                problems.add("instanceCount: only stateless services have instances; use targetReplicaSetSize");
            }
        }
        problems.addAll(partitionProblems(spec.partitions()));
        return problems;
    }

    /** Problems with a partition scheme: empty ranges, too many partitions, empty or repeated names. */
    public static List<String> partitionProblems(PartitionScheme scheme) {
        List<String> problems = new ArrayList<>();
        switch (scheme) {
            case PartitionScheme.Singleton s -> {
            }
            case PartitionScheme.UniformInt64Range r -> {
                if (r.count() < 1) {
                    problems.add("partitions.count: " + r.count() + " must be at least 1");
                }
                if (r.low() > r.high()) {
                    problems.add("partitions.low: " + r.low() + " must not be greater than partitions.high (" + r.high() + ")");
                } else if (r.count() >= 1 && java.math.BigInteger.valueOf(r.high()).subtract(java.math.BigInteger.valueOf(r.low()))
                        .add(java.math.BigInteger.ONE).compareTo(java.math.BigInteger.valueOf(r.count())) < 0) {
                    problems.add("partitions.count: " + r.count() + " partitions do not fit in the range " + r.low() + ".."
                            + r.high() + "; lower the count or widen the range");
                }
            }
            case PartitionScheme.Named n -> {
                if (n.names().isEmpty()) {
                    problems.add("partitions.names: a Named scheme needs at least one name");
                }
                var seen = new HashSet<String>();
                for (String name : n.names()) {
                    if (name == null || name.isBlank()) {
                        problems.add("partitions.names: a partition name is empty");
                    } else if (!seen.add(name)) {
                        problems.add("partitions.names: '" + name + "' appears twice; partition names must be unique");
                    }
                }
            }
        }
        return problems;
    }
}
