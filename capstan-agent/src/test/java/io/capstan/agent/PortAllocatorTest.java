package io.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class PortAllocatorTest {

    /** A free block of ports: bind an ephemeral port and use it and the few after it that are free too. */
    private static int freeBlock(int size) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (ServerSocket s = new ServerSocket(0)) {
                base = s.getLocalPort();
            }
            boolean ok = base + size <= 65535;
            for (int p = base; ok && p < base + size; p++) {
                ok = PortAllocator.bindable(p);
            }
            if (ok) {
                return base;
            }
        }
        throw new IOException("no free block of " + size + " ports");
    }

    @Test
    void skipsAPortSomeoneElseIsListeningOn() throws IOException {
        int base = freeBlock(4);
        PortAllocator ports = new PortAllocator(new PortRange(base, base + 3));
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), base));
            assertThat(ports.allocate()).isEqualTo(base + 1);
        }
    }

    @Test
    void neverHandsOutAPortItHoldsAndReusesReleasedOnesLast() throws IOException {
        int base = freeBlock(3);
        PortAllocator ports = new PortAllocator(new PortRange(base, base + 2));
        int a = ports.allocate();
        int b = ports.allocate();
        int c = ports.allocate();
        assertThat(java.util.Set.of(a, b, c)).hasSize(3);
        assertThatThrownBy(ports::allocate).isInstanceOf(IOException.class).hasMessageContaining("no free port");
        ports.release(b);
        assertThat(ports.allocate()).isEqualTo(b);
    }

    @Test
    void reservedPortsAreSkipped() throws IOException {
        int base = freeBlock(3);
        PortAllocator ports = new PortAllocator(new PortRange(base, base + 2));
        ports.reserve(base);
        ports.reserve(base + 1);
        assertThat(ports.allocate()).isEqualTo(base + 2);
    }

    @Test
    void rangesAreChecked() {
        assertThat(PortRange.parse("20000-29999")).isEqualTo(PortRange.DEFAULT);
        assertThatThrownBy(() -> new PortRange(30000, 20000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PortRange.parse("20000")).isInstanceOf(IllegalArgumentException.class);
    }
}
