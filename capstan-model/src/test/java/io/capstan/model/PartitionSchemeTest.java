package io.capstan.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link PartitionScheme.UniformInt64Range#partitionKeys()}: for any low <= high and
 * 1 <= count <= high - low + 1, the ranges are non-empty, contiguous, non-overlapping, cover exactly
 * [low, high], and differ in size by at most one key. Checked on hand-picked edges (the full Int64 range
 * included) and on 2,000 generated cases from a fixed seed, so a failure is reproducible.
 */
class PartitionSchemeTest {

    private static final long SEED = 0x5EED_CA95L;

    @Test
    void edgeCasesKeepTheProperties() {
        long min = Long.MIN_VALUE;
        long max = Long.MAX_VALUE;
        List<long[]> cases = List.of(
                new long[] {0, 99, 2}, new long[] {0, 0, 1}, new long[] {0, 9, 10}, new long[] {-5, 5, 3},
                new long[] {min, max, 1}, new long[] {min, max, 2}, new long[] {min, max, 3}, new long[] {min, max, 1000},
                new long[] {min, min, 1}, new long[] {max, max, 1}, new long[] {min, min + 4, 5}, new long[] {max - 4, max, 5},
                new long[] {min, -1, 7}, new long[] {0, max, 7}, new long[] {-1, 0, 2});
        for (long[] c : cases) {
            checkProperties(c[0], c[1], (int) c[2]);
        }
    }

    @Test
    void generatedCasesKeepTheProperties() {
        Random random = new Random(SEED);
        for (int i = 0; i < 2000; i++) {
            long a = interesting(random);
            long b = interesting(random);
            long low = Math.min(a, b);
            long high = Math.max(a, b);
            BigInteger keys = BigInteger.valueOf(high).subtract(BigInteger.valueOf(low)).add(BigInteger.ONE);
            int maxCount = keys.min(BigInteger.valueOf(200)).intValueExact();
            int count = 1 + random.nextInt(maxCount);
            checkProperties(low, high, count);
        }
    }

    @Test
    void theDesignExampleSplitsInHalves() {
        assertThat(new PartitionScheme.UniformInt64Range(0, 99, 2).partitionKeys())
                .containsExactly(PartitionKey.range(0, 49), PartitionKey.range(50, 99));
    }

    @Test
    void theFullRangeInTwoSplitsAtZero() {
        assertThat(new PartitionScheme.UniformInt64Range(Long.MIN_VALUE, Long.MAX_VALUE, 2).partitionKeys())
                .containsExactly(PartitionKey.range(Long.MIN_VALUE, -1), PartitionKey.range(0, Long.MAX_VALUE));
    }

    /** Small numbers, numbers near the ends of the Int64 range, and anything in between. */
    private static long interesting(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(2001) - 1000;
            case 1 -> Long.MIN_VALUE + random.nextInt(1000);
            case 2 -> Long.MAX_VALUE - random.nextInt(1000);
            default -> random.nextLong();
        };
    }

    private static void checkProperties(long low, long high, int count) {
        List<PartitionKey> keys = new PartitionScheme.UniformInt64Range(low, high, count).partitionKeys();
        String label = "[" + low + ", " + high + "] in " + count;
        assertThat(keys).as(label).hasSize(count);
        assertThat(keys.get(0).lowKey()).as(label + ": starts at low").isEqualTo(low);
        assertThat(keys.get(count - 1).highKey()).as(label + ": ends at high").isEqualTo(high);
        List<BigInteger> sizes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PartitionKey k = keys.get(i);
            assertThat(k.kind()).isEqualTo("Int64Range");
            assertThat(k.lowKey()).as(label + ": partition %d is not empty", i).isLessThanOrEqualTo(k.highKey());
            sizes.add(BigInteger.valueOf(k.highKey()).subtract(BigInteger.valueOf(k.lowKey())).add(BigInteger.ONE));
            if (i > 0) {
                // contiguous and non-overlapping: each range starts right after the previous one ends
                assertThat(BigInteger.valueOf(k.lowKey()))
                        .as(label + ": partition %d follows %d", i, i - 1)
                        .isEqualTo(BigInteger.valueOf(keys.get(i - 1).highKey()).add(BigInteger.ONE));
            }
        }
        BigInteger total = sizes.stream().reduce(BigInteger.ZERO, BigInteger::add);
        assertThat(total).as(label + ": covers every key once")
                .isEqualTo(BigInteger.valueOf(high).subtract(BigInteger.valueOf(low)).add(BigInteger.ONE));
        BigInteger smallest = sizes.stream().min(BigInteger::compareTo).orElseThrow();
        BigInteger largest = sizes.stream().max(BigInteger::compareTo).orElseThrow();
        assertThat(largest.subtract(smallest)).as(label + ": uniform").isLessThanOrEqualTo(BigInteger.ONE);
    }
}
