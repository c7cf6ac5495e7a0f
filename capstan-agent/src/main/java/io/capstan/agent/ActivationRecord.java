package io.capstan.agent;

import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.wire.ServicePackageActivation;
import java.util.List;
import java.util.Map;

/**
 * The durable record of one activation ({@code activation.json}): its identity, version and digest, the ports
 * it holds, each code package's current process, and the assignment entry it runs, so a restarted agent can
 * adopt and supervise it before it hears from the servers. {@code contents} are the content digests of the package
 * folders it runs (null in records of older agents: any new package then restarts it), and {@code pendingConfigChange}
 * the code packages still to be told that its config or data packages were refreshed (a restarted agent tells them).
 */
public record ActivationRecord(
        ActivationKey key,
        String servicePackageVersion,
        String packageDigest,
        Map<String, Integer> ports,
        Map<String, ProcessRecord> processes,
        ServicePackageActivation activation,
        PackageContents contents,
        List<String> pendingConfigChange) {

    public ActivationRecord {
        ports = ports == null ? Map.of() : Map.copyOf(ports);
        processes = processes == null ? Map.of() : Map.copyOf(processes);
        pendingConfigChange = pendingConfigChange == null ? List.of() : List.copyOf(pendingConfigChange);
    }

    public ActivationRecord(ActivationKey key, String servicePackageVersion, String packageDigest, Map<String, Integer> ports,
                            Map<String, ProcessRecord> processes, ServicePackageActivation activation) {
        this(key, servicePackageVersion, packageDigest, ports, processes, activation, null, null);
    }
}
