package io.capstan.model.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.capstan.model.cluster.CodePackageUsage;
import io.capstan.model.cluster.DeployedServicePackage;
import java.util.List;

/**
 * What an agent observes on its node, sent whenever it changes: every deployed service package, and the measured
 * use of each running code package. The use changes all the time, so it is kept in the servers' memory and never
 * reaches the Raft log (a report whose deployed packages did not change commits nothing).
 */
public record NodeReport(String node, long assignmentIndex, List<DeployedServicePackage> deployed,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) List<CodePackageUsage> usage) {

    public NodeReport {
        deployed = List.copyOf(deployed);
        usage = usage == null ? List.of() : List.copyOf(usage);
    }

    /** A report without measurements. */
    public NodeReport(String node, long assignmentIndex, List<DeployedServicePackage> deployed) {
        this(node, assignmentIndex, deployed, List.of());
    }

    /** The same report without its measurements: what is committed. */
    public NodeReport withoutUsage() {
        return usage.isEmpty() ? this : new NodeReport(node, assignmentIndex, deployed);
    }
}
