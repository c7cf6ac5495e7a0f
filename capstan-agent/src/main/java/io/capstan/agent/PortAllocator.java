package io.capstan.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Hands out endpoint ports from the node's range: never one another activation of this agent holds, and
 * only one that can be bound on 127.0.0.1 right now (other agents and programs share the machine).
 * Walks the range round-robin so a port just given back is not handed out again at once.
 */
final class PortAllocator {

    private final PortRange range;
    private final Set<Integer> held = new HashSet<>();
    private int cursor;

    PortAllocator(PortRange range) {
        this.range = range;
        this.cursor = range.first();
    }

    synchronized int allocate() throws IOException {
        for (int i = 0; i < range.size(); i++) {
            int port = cursor;
            cursor = cursor == range.last() ? range.first() : cursor + 1;
            if (!held.contains(port) && bindable(port)) {
                held.add(port);
                return port;
            }
        }
        throw new IOException("no free port left in the endpoint range " + range);
    }

    /** Marks a port as held: one recorded by an adopted activation, or fixed by a manifest. */
    synchronized void reserve(int port) {
        held.add(port);
    }

    synchronized void release(int port) {
        held.remove(port);
    }

    synchronized Set<Integer> held() {
        return Set.copyOf(held);
    }

    static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
