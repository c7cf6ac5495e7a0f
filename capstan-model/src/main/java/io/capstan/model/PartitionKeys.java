package io.capstan.model;

import java.util.List;

/**
 * Finds the partition a client's key belongs to (Service Fabric's {@code PartitionKey} / {@code PartitionKind}),
 * the same way on the server and in the gateway. Bad keys are an {@link IllegalArgumentException} naming the fix.
 */
public final class PartitionKeys {

    private PartitionKeys() {
    }

    /**
     * The partition of {@code partitions} that {@code key} selects. {@code kind} (Int64Range or Named) is optional and,
     * when given, must match the service's scheme; a Singleton service takes no key (any given one is ignored, as
     * Service Fabric's reverse proxy does).
     */
    public static PartitionKey find(List<PartitionKey> partitions, String key, String kind) {
        if (partitions.isEmpty()) {
            throw new IllegalArgumentException("the service has no partitions");
        }
        String scheme = partitions.getFirst().kind();
        if (scheme.equals("Singleton")) {
            return partitions.getFirst();
        }
        if (kind != null && !kind.isEmpty() && !kind.equals(scheme)) {
            throw new IllegalArgumentException("PartitionKind: '" + kind + "' does not match the service's "
                    + scheme + " partitions; pass PartitionKind=" + scheme + " or leave it out");
        }
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("PartitionKey: the service has " + partitions.size() + " " + scheme
                    + " partitions (" + labels(partitions) + "); pass PartitionKey=K to pick one");
        }
        if (scheme.equals("Named")) {
            return partitions.stream().filter(p -> p.name().equals(key)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("PartitionKey: no partition is named '" + key + "'; the names are "
                            + labels(partitions)));
        }
        long value;
        try {
            value = Long.parseLong(key);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PartitionKey: '" + key + "' is not an Int64; the service's ranges are "
                    + labels(partitions));
        }
        return partitions.stream().filter(p -> p.lowKey() <= value && value <= p.highKey()).findFirst().orElseThrow(() ->
                new IllegalArgumentException("PartitionKey: " + value + " is outside the service's ranges "
                        + labels(partitions)));
    }

    private static String labels(List<PartitionKey> partitions) {
        return String.join(", ", partitions.stream().map(PartitionKey::label).toList());
    }
}
