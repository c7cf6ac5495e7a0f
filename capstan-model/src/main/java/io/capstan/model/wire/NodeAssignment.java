package io.capstan.model.wire;

import java.util.List;

/** Everything one node should run, as of state index {@code index}: the agent converges to exactly this. */
public record NodeAssignment(String node, long index, List<ServicePackageActivation> activations) {

    public NodeAssignment {
        activations = List.copyOf(activations);
    }
}
