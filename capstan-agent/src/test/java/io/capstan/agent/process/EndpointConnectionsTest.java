package io.capstan.agent.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The connections a drain waits for: established ones on an endpoint's port, as the kernel lists them. */
class EndpointConnectionsTest {

    @Test
    void countsEstablishedConnectionsOnTheEndpointPortOnly() throws Exception {
        long self = ProcessHandle.current().pid();
        try (ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            List<Integer> ports = List.of(listener.getLocalPort());
            assertThat(EndpointConnections.established(self, ports)).as("a listening socket is no connection").isZero();
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
                 Socket accepted = listener.accept()) {
                // The server's side counts (local port = the endpoint); the client's side has an ephemeral local port.
                assertThat(EndpointConnections.established(self, ports)).isEqualTo(1);
                assertThat(EndpointConnections.established(null, ports)).isEqualTo(1);
                assertThat(EndpointConnections.established(self, List.of(1))).isZero();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> EndpointConnections.established(self, ports) == 0);
        }
    }

    @Test
    void readsTheStateAndLocalPortColumns() {
        List<String> rows = List.of(
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   0: 0100007F:4E21 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1",
                "   1: 0100007F:4E21 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 2 1",
                "   2: 0100007F:D2F0 0100007F:4E21 01 00000000:00000000 00:00000000 00000000     0        0 3 1",
                "   3: 0100007F:4E21 0100007F:D2F2 06 00000000:00000000 00:00000000 00000000     0        0 0 1");
        assertThat(EndpointConnections.count(rows, List.of(0x4E21))).isEqualTo(1);
    }
}
