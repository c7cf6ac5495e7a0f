package io.capstan.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/** What a single partition covers: everything (Singleton), a key range (Int64Range) or a name (Named). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PartitionKey(String kind, Long lowKey, Long highKey, String name) {

    public static PartitionKey singleton() {
        return new PartitionKey("Singleton", null, null, null);
    }

    public static PartitionKey range(long low, long high) {
        return new PartitionKey("Int64Range", low, high, null);
    }

    public static PartitionKey named(String name) {
        return new PartitionKey("Named", null, null, name);
    }

    /** A short human label: "-", "0..49" or the name. */
    public String label() {
        return switch (kind) {
            case "Int64Range" -> lowKey + ".." + highKey;
            case "Named" -> name;
            default -> "-";
        };
    }
}
