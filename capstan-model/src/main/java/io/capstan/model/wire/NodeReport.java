package io.capstan.model.wire;

import io.capstan.model.cluster.DeployedServicePackage;
import java.util.List;

/** What an agent observes on its node, sent whenever it changes: every deployed service package. */
public record NodeReport(String node, long assignmentIndex, List<DeployedServicePackage> deployed) {

    public NodeReport {
        deployed = List.copyOf(deployed);
    }
}
