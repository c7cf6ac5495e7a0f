package io.capstan.agent;

/** An inclusive range of TCP ports the agent hands out to endpoints, 20000–29999 by default. */
public record PortRange(int first, int last) {

    public static final PortRange DEFAULT = new PortRange(20000, 29999);

    public PortRange {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("port range " + first + "-" + last
                    + " is not valid: use FIRST-LAST with 1 <= FIRST <= LAST <= 65535");
        }
    }

    /** Parses {@code 20000-29999}. */
    public static PortRange parse(String text) {
        String[] parts = text.trim().split("-");
        if (parts.length != 2) {
            throw new IllegalArgumentException("port range '" + text + "' must look like 20000-29999");
        }
        return new PortRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
    }

    public boolean contains(int port) {
        return port >= first && port <= last;
    }

    public int size() {
        return last - first + 1;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
