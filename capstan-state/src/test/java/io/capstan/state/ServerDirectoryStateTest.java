package io.capstan.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The servers' API addresses in the replicated state: announced, replaced, refused when malformed, kept by snapshots. */
class ServerDirectoryStateTest {

    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");

    private final ClusterState state = new ClusterState();

    @Test
    void aServerAnnouncesItsApiAndALaterAnnouncementReplacesIt() {
        assertThat(state.apply(1, new ClusterCommand.AnnounceServer("s1", "http://10.0.0.1:19080", T0)).applied()).isTrue();
        assertThat(state.apply(2, new ClusterCommand.AnnounceServer("s2", "http://10.0.0.2:19080", T0)).applied()).isTrue();
        assertThat(state.apply(3, new ClusterCommand.AnnounceServer("s1", "https://10.0.0.9:8443", T0)).applied()).isTrue();

        assertThat(state.snapshot().serverApis()).containsExactly(
                java.util.Map.entry("s1", "https://10.0.0.9:8443"), java.util.Map.entry("s2", "http://10.0.0.2:19080"));
        ClusterState restored = ClusterState.restore(ClusterState.persisted(state.snapshot()));
        assertThat(restored.snapshot().serverApis()).isEqualTo(state.snapshot().serverApis());
    }

    @Test
    void aMalformedAnnouncementIsRefusedAndChangesNothing() {
        state.apply(1, new ClusterCommand.AnnounceServer("s1", "http://10.0.0.1:19080", T0));

        CommandResult noPort = state.apply(2, new ClusterCommand.AnnounceServer("s1", "http://10.0.0.1", T0));
        CommandResult badName = state.apply(3, new ClusterCommand.AnnounceServer("s 1", "http://10.0.0.1:19080", T0));
        CommandResult notHttp = state.apply(4, new ClusterCommand.AnnounceServer("s2", "ftp://10.0.0.2:21", T0));

        assertThat(noPort.applied()).isFalse();
        assertThat(noPort.message()).contains("apiUrl").contains("http://10.0.0.1:19080");
        assertThat(badName.applied()).isFalse();
        assertThat(badName.message()).startsWith("server:");
        assertThat(notHttp.applied()).isFalse();
        assertThat(state.snapshot().serverApis()).containsExactly(java.util.Map.entry("s1", "http://10.0.0.1:19080"));
    }
}
