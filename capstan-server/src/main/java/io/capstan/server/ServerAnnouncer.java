package io.capstan.server;

import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this server's API URL into the replicated state once its API listens, retrying until a leader commits
 * it (the first servers of a group start before there is a majority), so followers can name the leader's API and
 * servers can reach each other's packages.
 */
final class ServerAnnouncer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerAnnouncer.class);
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration COMMIT_WAIT = Duration.ofSeconds(10);

    private final Thread thread;

    ServerAnnouncer(ClusterStore store, String serverId, String apiUrl, Clock clock) {
        this.thread = Thread.ofVirtual().name("server-announcer").start(() -> {
            while (!apiUrl.equals(store.snapshot().serverApis().get(serverId))) {
                try {
                    var result = store.submit(new ClusterCommand.AnnounceServer(serverId, apiUrl, clock.instant()))
                            .get(COMMIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    if (!result.applied()) {
                        LOG.error("the cluster refused this server's API address {}: {}", apiUrl, result.message());
                        return;
                    }
                    store.awaitAfter(result.index() - 1, COMMIT_WAIT);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    LOG.debug("announcing {} failed, retrying: {}", apiUrl, e.toString());
                    try {
                        Thread.sleep(RETRY); // no leader yet: a pause between tries, not a busy loop
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
            LOG.info("server {} announced its API at {}", serverId, apiUrl);
        });
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
