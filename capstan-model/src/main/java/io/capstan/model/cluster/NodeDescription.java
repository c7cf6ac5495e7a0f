package io.capstan.model.cluster;

import java.util.Map;

/**
 * What an agent says about its node when it registers: identity, where its API listens, its fault
 * domain ({@code fd:/dc1/rack1}), upgrade domain ({@code UD0}), capacities per metric ("cpu" in cores,
 * "memoryMiB") and free-form properties used by placement constraints.
 */
public record NodeDescription(
        String name,
        String address,
        String faultDomain,
        String upgradeDomain,
        Map<String, Double> capacities,
        Map<String, String> properties) {

    public NodeDescription {
        capacities = capacities == null ? Map.of() : Map.copyOf(capacities);
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }
}
