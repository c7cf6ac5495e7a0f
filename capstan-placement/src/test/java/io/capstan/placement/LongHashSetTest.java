package io.capstan.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LongHashSetTest {

    @Test
    void keepsEveryKeyAcrossGrowthAndRejectsDuplicates() {
        LongHashSet set = new LongHashSet(4);
        for (long k = 0; k < 10_000; k += 3) {
            assertThat(set.add(k * 10_007)).isTrue();
        }
        assertThat(set.size()).isEqualTo(3334);
        for (long k = 0; k < 10_000; k++) {
            assertThat(set.contains(k * 10_007)).as("key %d", k).isEqualTo(k % 3 == 0);
        }
        assertThat(set.add(0)).isFalse();
        assertThat(set.size()).isEqualTo(3334);
    }

    @Test
    void negativeKeysAreRefused() {
        assertThatThrownBy(() -> new LongHashSet(1).add(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
