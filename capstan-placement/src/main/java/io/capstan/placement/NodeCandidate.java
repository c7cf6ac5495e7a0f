package io.capstan.placement;

import java.util.Map;
import java.util.Objects;

/**
 * A node as placement sees it: its name, fault and upgrade domains, capacity per metric (a metric
 * missing here is unlimited on this node), properties for placement constraints, and its state.
 *
 * <p>{@code eligible}: it may take new replicas (Up and not disabled). {@code draining}: an operator is
 * disabling it; it takes no new replica, but the replicas already there stay until their replacements
 * elsewhere are Ready (a graceful drain). A node that is neither is down or disabled: its replicas are
 * removed at once. A node cannot be both eligible and draining.
 */
public record NodeCandidate(
        String name,
        String faultDomain,
        String upgradeDomain,
        Map<String, Double> capacity,
        Map<String, String> properties,
        boolean eligible,
        boolean draining) {

    public NodeCandidate {
        Objects.requireNonNull(name, "name");
        if (eligible && draining) {
            throw new IllegalArgumentException("node '" + name + "' cannot be both eligible and draining");
        }
        faultDomain = faultDomain == null ? "" : faultDomain;
        upgradeDomain = upgradeDomain == null ? "" : upgradeDomain;
        capacity = capacity == null ? Map.of() : Map.copyOf(capacity);
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    /** A node that is not draining: eligible, or down/disabled. */
    public NodeCandidate(String name, String faultDomain, String upgradeDomain, Map<String, Double> capacity,
                         Map<String, String> properties, boolean eligible) {
        this(name, faultDomain, upgradeDomain, capacity, properties, eligible, false);
    }
}
