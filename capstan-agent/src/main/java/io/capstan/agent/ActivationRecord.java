package io.capstan.agent;

import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.wire.ServicePackageActivation;
import java.util.Map;

/**
 * The durable record of one activation ({@code activation.json}): its identity, version and digest, the ports
 * it holds, each code package's current process, and the assignment entry it runs, so a restarted agent can
 * adopt and supervise it before it hears from the servers.
 */
public record ActivationRecord(
        ActivationKey key,
        String servicePackageVersion,
        String packageDigest,
        Map<String, Integer> ports,
        Map<String, ProcessRecord> processes,
        ServicePackageActivation activation) {

    public ActivationRecord {
        ports = ports == null ? Map.of() : Map.copyOf(ports);
        processes = processes == null ? Map.of() : Map.copyOf(processes);
    }
}
