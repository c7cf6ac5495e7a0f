package io.capstan.server;

import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.server.api.ApiException;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterStore;
import io.capstan.state.Watch;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import io.capstan.server.acl.AccessControl;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Application packages on every server, not only the one that received the upload. Before a registration is
 * submitted, the receiving server pushes the archive by digest to its peers and waits until a majority of the group,
 * itself included, has it durably ({@link #replicateToMajority}); a server that lacks a package the state names
 * (it was down, or not in that majority) fetches it from a peer that has it, checked against the committed SHA-256
 * digest ({@link #fetch}), at once when asked for it and in the background after each change of the registered
 * types. Packages no registered type names, older than {@link #UNUSED_KEPT}, are deleted in the background.
 */
public final class PackageReplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PackageReplication.class);
    /** The peers' internal route: PUT stores an archive under its digest, GET serves one this server holds. */
    public static final String PEER_PATH = "/v1/internal/packages/";
    /** A package no type names is kept this long first: an upload is pushed to peers before its registration commits. */
    static final Duration UNUSED_KEPT = Duration.ofMinutes(10);
    private static final Duration SYNC_RETRY = Duration.ofSeconds(2);
    private static final Duration SYNC_WAIT = Duration.ofSeconds(30);

    private final PackageStore packages;
    private final ServerDirectory servers;
    private final ClusterStore store;
    private final Duration timeout;
    private final long maxBytes;
    /** Sent to peers on their internal routes (with --acl); null without. */
    private final String clusterSecret;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private Thread sync;

    public PackageReplication(PackageStore packages, ServerDirectory servers, ClusterStore store, Duration timeout, long maxBytes,
            String clusterSecret) {
        this.clusterSecret = clusterSecret;
        this.packages = packages;
        this.servers = servers;
        this.store = store;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
    }

    /**
     * Pushes a package this server holds to its peers; returns once a majority of the group holds it, or refuses the
     * registration with 503 naming how many do.
     */
    public void replicateToMajority(String digest) throws InterruptedException {
        int needed = servers.majority() - 1;
        if (needed <= 0) {
            return;
        }
        Path file = packages.get(digest).orElseThrow(() -> new IllegalStateException("package " + digest + " is not stored here"));
        List<ServerDirectory.Member> peers = servers.peers();
        CountDownLatch enough = new CountDownLatch(needed);
        AtomicInteger stored = new AtomicInteger();
        for (ServerDirectory.Member peer : peers) {
            HttpRequest put = toPeer(peer, digest).PUT(bodyOf(file)).build();
            http.sendAsync(put, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                if (e == null && r.statusCode() / 100 == 2) {
                    stored.incrementAndGet();
                    enough.countDown();
                } else {
                    LOG.warn("server {} did not store package {}: {}", peer.id(), digest, e != null ? e.toString() : r.body());
                }
            });
        }
        if (peers.size() < needed || !enough.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new ApiException(503, "NOT_REPLICATED", "the package is stored on " + (1 + stored.get()) + " of "
                    + (peers.size() + 1) + " servers, but a registration needs a majority (" + (needed + 1) + "); start the"
                    + " servers that are down (`capstan cluster status`) and register it again");
        }
    }

    /** A request to a peer's internal route, with the cluster secret when there is one (with --acl). */
    private HttpRequest.Builder toPeer(ServerDirectory.Member peer, String digest) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(peer.apiUrl() + PEER_PATH + digest)).timeout(timeout);
        return clusterSecret == null ? b : b.header(AccessControl.TOKEN_HEADER, clusterSecret);
    }

    private static HttpRequest.BodyPublisher bodyOf(Path file) {
        try {
            return HttpRequest.BodyPublishers.ofFile(file);
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalStateException("package file " + file + " vanished", e);
        }
    }

    /** Stores an archive a peer pushed, if its content has {@code digest}; false when it does not. */
    public boolean receive(String digest, InputStream body) throws IOException {
        if (packages.get(digest).isPresent()) {
            body.transferTo(java.io.OutputStream.nullOutputStream());
            return true;
        }
        try (PackageUpload upload = PackageUpload.receive(body, packages.directory(), maxBytes)) {
            if (!upload.digest().equals(digest)) {
                return false;
            }
            packages.adopt(upload);
            return true;
        }
    }

    /** Fetches a package from the first peer that has it, verified against its digest; true once it is stored here. */
    public boolean fetch(String digest) {
        if (packages.get(digest).isPresent()) {
            return true;
        }
        for (ServerDirectory.Member peer : servers.peers()) {
            HttpRequest get = toPeer(peer, digest).GET().build();
            try {
                HttpResponse<InputStream> r = http.send(get, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = r.body()) {
                    if (r.statusCode() == 200 && receive(digest, body)) {
                        LOG.info("fetched package {} from server {}", digest, peer.id());
                        return true;
                    }
                }
                if (r.statusCode() == 200) {
                    LOG.warn("server {} sent package {} with another digest; trying the next server", peer.id(), digest);
                }
            } catch (IOException e) {
                LOG.debug("server {} did not send package {}: {}", peer.id(), digest, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Starts the background copy of missing packages and removal of unused ones. */
    public PackageReplication start() {
        sync = Thread.ofVirtual().name("package-sync").start(this::syncLoop);
        return this;
    }

    private void syncLoop() {
        Watch types = new Watch.Table(Watch.StateTable.APPLICATION_TYPES);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                ClusterSnapshot s = store.snapshot();
                if (syncOnce(s)) {
                    store.awaitChange(types, s.modifyIndex(types), SYNC_WAIT); // until the registered types change
                } else {
                    Thread.sleep(SYNC_RETRY); // no peer had it yet: try again a little later, not in a busy loop
                }
            }
        } catch (InterruptedException e) {
            // Closing.
        }
    }

    /** Copies what is missing and removes what no type names; true when nothing is missing any more. */
    private boolean syncOnce(ClusterSnapshot s) {
        Set<String> named = s.applicationTypeList().stream().map(ApplicationTypeRecord::packageDigest).collect(Collectors.toSet());
        boolean complete = true;
        for (String digest : named) {
            complete &= fetch(digest);
        }
        Instant oldest = Instant.now().minus(UNUSED_KEPT);
        try (Stream<Path> files = Files.list(packages.directory())) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".tar.gz") && !named.contains(name.substring(0, name.length() - ".tar.gz".length()))
                        && Files.getLastModifiedTime(f).compareTo(FileTime.from(oldest)) < 0) {
                    packages.delete(name.substring(0, name.length() - ".tar.gz".length()));
                }
            }
        } catch (IOException e) {
            LOG.warn("could not look for unused packages in {}: {}", packages.directory(), e.toString());
        }
        return complete;
    }

    @Override
    public void close() {
        if (sync != null) {
            sync.interrupt();
        }
        http.close();
    }
}
