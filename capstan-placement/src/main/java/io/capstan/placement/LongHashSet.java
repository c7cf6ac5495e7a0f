package io.capstan.placement;

import java.util.Arrays;

/** A minimal open-addressing set of non-negative longs: no boxing for the (group, node) pairs of a million replicas. */
final class LongHashSet {

    private static final long EMPTY = -1L;
    private long[] slots;
    private int size;

    LongHashSet(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
        slots = new long[cap];
        Arrays.fill(slots, EMPTY);
    }

    boolean contains(long key) {
        int mask = slots.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            long s = slots[i];
            if (s == key) {
                return true;
            }
            if (s == EMPTY) {
                return false;
            }
        }
    }

    /** Adds the key; returns false when it was already present. */
    boolean add(long key) {
        if (key < 0) {
            throw new IllegalArgumentException("negative key " + key);
        }
        if ((size + 1) * 2 > slots.length) {
            grow();
        }
        int mask = slots.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            long s = slots[i];
            if (s == key) {
                return false;
            }
            if (s == EMPTY) {
                slots[i] = key;
                size++;
                return true;
            }
        }
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        Arrays.fill(slots, EMPTY);
        size = 0;
        for (long k : old) {
            if (k != EMPTY) {
                add(k);
            }
        }
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
