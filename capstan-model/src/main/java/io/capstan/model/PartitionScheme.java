package io.capstan.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** How a service's key space is split into partitions; fixed when the service is created. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "scheme")
@JsonSubTypes({
    @JsonSubTypes.Type(value = PartitionScheme.Singleton.class, name = "Singleton"),
    @JsonSubTypes.Type(value = PartitionScheme.UniformInt64Range.class, name = "UniformInt64Range"),
    @JsonSubTypes.Type(value = PartitionScheme.Named.class, name = "Named")
})
public sealed interface PartitionScheme {

    /** The partitions this scheme describes, in a stable order. */
    List<PartitionKey> partitionKeys();

    /** One partition for the whole service. */
    record Singleton() implements PartitionScheme {
        @Override
        public List<PartitionKey> partitionKeys() {
            return List.of(PartitionKey.singleton());
        }
    }

    /** The range [low, high] split into {@code count} contiguous, non-overlapping sub-ranges. */
    record UniformInt64Range(long low, long high, int count) implements PartitionScheme {
        @Override
        public List<PartitionKey> partitionKeys() {
            List<PartitionKey> keys = new ArrayList<>(count);
            // BigInteger because high - low overflows a long for the full Int64 range.
            BigInteger base = BigInteger.valueOf(low);
            BigInteger width = BigInteger.valueOf(high).subtract(base).add(BigInteger.ONE);
            BigInteger n = BigInteger.valueOf(count);
            for (int i = 0; i < count; i++) {
                BigInteger start = base.add(width.multiply(BigInteger.valueOf(i)).divide(n));
                BigInteger next = base.add(width.multiply(BigInteger.valueOf(i + 1L)).divide(n));
                keys.add(PartitionKey.range(start.longValueExact(), next.subtract(BigInteger.ONE).longValueExact()));
            }
            return keys;
        }
    }

    /** One partition per name. */
    record Named(List<String> names) implements PartitionScheme {
        public Named {
            names = List.copyOf(names);
        }

        @Override
        public List<PartitionKey> partitionKeys() {
            return names.stream().map(PartitionKey::named).toList();
        }
    }
}
