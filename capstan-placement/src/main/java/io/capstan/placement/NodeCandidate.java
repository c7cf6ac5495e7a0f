package io.capstan.placement;

import java.util.Map;
import java.util.Objects;

/**
 * A node as placement sees it: its name, fault and upgrade domains, capacity per metric (a metric
 * missing here is unlimited on this node), properties for placement constraints, and whether it may
 * host replicas at all ({@code eligible} = Up and not disabled).
 */
public record NodeCandidate(
        String name,
        String faultDomain,
        String upgradeDomain,
        Map<String, Double> capacity,
        Map<String, String> properties,
        boolean eligible) {

    public NodeCandidate {
        Objects.requireNonNull(name, "name");
        faultDomain = faultDomain == null ? "" : faultDomain;
        upgradeDomain = upgradeDomain == null ? "" : upgradeDomain;
        capacity = capacity == null ? Map.of() : Map.copyOf(capacity);
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }
}
