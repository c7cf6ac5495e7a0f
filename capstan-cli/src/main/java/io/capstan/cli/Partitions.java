package io.capstan.cli;

import io.capstan.model.PartitionScheme;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Parses {@code --partitions} (picocli prefixes errors with the option's name): {@code singleton}, {@code range:LOW:HIGH:COUNT} or {@code named:A,B,...}. */
public final class Partitions {

    static final String FORMS = "singleton, range:LOW:HIGH:COUNT (e.g. range:0:99:4) or named:A,B,... (e.g. named:east,west)";

    private Partitions() {
    }

    public static PartitionScheme parse(String text) {
        String t = text == null ? "" : text.strip();
        int colon = t.indexOf(':');
        String scheme = (colon < 0 ? t : t.substring(0, colon)).toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? null : t.substring(colon + 1);
        return switch (scheme) {
            case "singleton" -> {
                if (rest != null) {
                    throw bad(text, "singleton takes no arguments");
                }
                yield new PartitionScheme.Singleton();
            }
            case "range" -> range(text, rest);
            case "named" -> named(text, rest);
            default -> throw bad(text, "unknown partition scheme" + (scheme.isEmpty() ? "" : " '" + scheme + "'"));
        };
    }

    private static PartitionScheme range(String text, String rest) {
        String[] parts = rest == null ? new String[0] : rest.split(":", -1);
        if (parts.length != 3) {
            throw bad(text, "range needs exactly LOW:HIGH:COUNT");
        }
        long low = number(text, "LOW", parts[0]);
        long high = number(text, "HIGH", parts[1]);
        long count = number(text, "COUNT", parts[2]);
        if (low > high) {
            throw bad(text, "LOW (" + low + ") must not be greater than HIGH (" + high + ")");
        }
        if (count < 1 || count > Integer.MAX_VALUE) {
            throw bad(text, "COUNT must be at least 1, got " + count);
        }
        BigInteger width = BigInteger.valueOf(high).subtract(BigInteger.valueOf(low)).add(BigInteger.ONE);
        if (BigInteger.valueOf(count).compareTo(width) > 0) {
            throw bad(text, "COUNT (" + count + ") must not exceed the number of keys in " + low + ".." + high
                    + " (" + width + ")");
        }
        return new PartitionScheme.UniformInt64Range(low, high, (int) count);
    }

    private static PartitionScheme named(String text, String rest) {
        if (rest == null || rest.isBlank()) {
            throw bad(text, "named needs at least one name: named:A,B,...");
        }
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String raw : rest.split(",", -1)) {
            String name = raw.strip();
            if (name.isEmpty()) {
                throw bad(text, "a partition name is empty");
            }
            if (!seen.add(name)) {
                throw bad(text, "partition name '" + name + "' appears twice");
            }
            names.add(name);
        }
        return new PartitionScheme.Named(names);
    }

    private static long number(String text, String what, String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw bad(text, what + " '" + value + "' is not a whole number (64-bit)");
        }
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("'" + text + "' is not a partition scheme: " + why + "; expected " + FORMS);
    }
}
