package io.capstan.gateway;

import io.capstan.model.ServiceName;
import io.capstan.model.wire.ServiceResolution;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's view of where services are. The first request for a service starts one watcher for it: a virtual
 * thread holding a blocking query on that service's resolution, so it wakes only when that service changes. While the
 * naming service is unreachable the last answer keeps being used. A service that sees no request for {@code idle} is
 * no longer watched (a sweep every {@code idle / 4} interrupts its watcher; the next request starts a new one), so a
 * gateway that once served many services does not hold a query open on each of them forever.
 */
public final class ResolutionCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ResolutionCache.class);
    private static final Duration RETRY_AFTER_ERROR = Duration.ofSeconds(1);

    private final ResolutionSource source;
    private final Duration wait;
    private final long idleNanos;
    /** How stale a watcher's last-use time may be: a second, or less for short idle times. */
    private final long touchNanos;
    private final Thread sweeper;
    private final Map<ServiceName, Watcher> watchers = new ConcurrentHashMap<>();
    private volatile EndpointChanges endpointChanges = EndpointChanges.NONE;
    private volatile boolean closed;

    /** Hears which endpoints (host:port) joined or left a service's resolution. */
    public interface EndpointChanges {
        EndpointChanges NONE = new EndpointChanges() {
            @Override
            public void joined(Set<String> addresses) {
            }

            @Override
            public void left(Set<String> addresses) {
            }
        };

        void joined(Set<String> addresses);

        void left(Set<String> addresses);
    }

    public ResolutionCache(ResolutionSource source, Duration wait) {
        this(source, wait, GatewayConfig.DEFAULT_WATCH_IDLE);
    }

    public ResolutionCache(ResolutionSource source, Duration wait, Duration idle) {
        this.source = source;
        this.wait = wait;
        this.idleNanos = idle.toNanos();
        this.touchNanos = Math.min(1_000_000_000L, idleNanos / 4);
        Duration every = idle.dividedBy(4);
        this.sweeper = Thread.ofVirtual().name("gateway-watch-sweeper").start(() -> sweepEvery(every));
    }

    /** The latest resolution of {@code service}; the first call waits for the naming service's first answer. */
    public CompletableFuture<ServiceResolution> resolve(ServiceName service) {
        Watcher w = watchers.get(service);
        if (w == null) {
            w = watchers.computeIfAbsent(service, this::startWatcher);
        }
        w.used();
        return w.latest.get();
    }

    private void sweepEvery(Duration every) {
        try {
            while (!closed) {
                // Why a fixed delay: idleness is a matter of time passing; nothing happens to wait on.
                Thread.sleep(every);
                sweepIdle(System.nanoTime());
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Stops watching the services that had no request for the idle time before {@code now}. */
    void sweepIdle(long now) {
        for (Watcher w : watchers.values()) {
            CompletableFuture<ServiceResolution> latest = w.latest.get();
            // A watcher still waiting for its first answer has requests waiting on it: it is not idle.
            if (latest.isDone() && now - w.lastUsed > idleNanos && watchers.remove(w.service, w)) {
                LOG.debug("no request for {} in {} ms: no longer watching it", w.service, idleNanos / 1_000_000);
                w.unwatched = true;
                w.thread.interrupt();
                ServiceResolution last = latest.isCompletedExceptionally() ? null : latest.join();
                Set<String> endpoints = addresses(last);
                if (!endpoints.isEmpty()) {
                    // Unwatched endpoints are never retired later: their idle connections go now.
                    endpointChanges.left(endpoints);
                }
            }
        }
    }

    /**
     * A resolution asked of the naming service now, for when a replica answered as if it had moved: the newer of it
     * and the cached one.
     */
    public CompletableFuture<ServiceResolution> refresh(ServiceName service) {
        Watcher w = watchers.computeIfAbsent(service, this::startWatcher);
        w.used();
        CompletableFuture<ServiceResolution> fresh = new CompletableFuture<>();
        Thread.ofVirtual().name("gateway-refresh-" + service.shortName()).start(() -> {
            try {
                fresh.complete(w.publish(source.resolve(service, 0, wait)));
            } catch (IOException e) {
                w.latest.get().whenComplete((r, err) -> {
                    if (err != null) {
                        fresh.completeExceptionally(e);
                    } else {
                        fresh.complete(r);
                    }
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fresh.completeExceptionally(e);
            }
        });
        return fresh;
    }

    /** Tells {@code listener} about endpoints joining or leaving any watched service from now on. */
    public void onEndpointChanges(EndpointChanges listener) {
        endpointChanges = listener;
    }

    /** How many services are being watched. */
    public int watchedServices() {
        return watchers.size();
    }

    /** How many times the watcher of {@code service} saw its resolution change (0 when not watched). */
    public long changesSeen(ServiceName service) {
        Watcher w = watchers.get(service);
        return w == null ? 0 : w.changes.get();
    }

    private Watcher startWatcher(ServiceName service) {
        Watcher w = new Watcher(service);
        w.thread = Thread.ofVirtual().name("gateway-watch-" + service.shortName()).unstarted(w::run);
        w.thread.start();
        return w;
    }

    @Override
    public void close() {
        closed = true;
        sweeper.interrupt();
        watchers.values().forEach(w -> w.thread.interrupt());
        watchers.clear();
    }

    private void endpointsChanged(ServiceResolution before, ServiceResolution now) {
        Set<String> old = addresses(before);
        Set<String> fresh = addresses(now);
        Set<String> left = new HashSet<>(old);
        left.removeAll(fresh);
        Set<String> joined = new HashSet<>(fresh);
        joined.removeAll(old);
        if (!joined.isEmpty()) {
            endpointChanges.joined(joined);
        }
        if (!left.isEmpty()) {
            endpointChanges.left(left);
        }
    }

    private static Set<String> addresses(ServiceResolution r) {
        Set<String> out = new HashSet<>();
        if (r != null) {
            r.partitions().forEach(p -> p.replicas().forEach(x -> out.addAll(x.endpoints().values())));
        }
        return out;
    }

    /** One service's blocking-query loop. */
    private final class Watcher {
        final ServiceName service;
        final AtomicReference<CompletableFuture<ServiceResolution>> latest = new AtomicReference<>(new CompletableFuture<>());
        final AtomicLong changes = new AtomicLong();
        /** When a request last asked for the service (System.nanoTime), to within touchNanos. */
        volatile long lastUsed = System.nanoTime();
        /** Set when the sweep stopped watching it: its loop ends at its next turn. */
        volatile boolean unwatched;
        Thread thread;

        Watcher(ServiceName service) {
            this.service = service;
        }

        /** Called per request: a write only now and then (a second), so the hot path mostly just reads. */
        void used() {
            long now = System.nanoTime();
            if (now - lastUsed > touchNanos) {
                lastUsed = now;
            }
        }

        void run() {
            long version = 0;
            // Not "while it is in the map": it starts inside computeIfAbsent, before it is there.
            while (!closed && !unwatched) {
                try {
                    version = publish(source.resolve(service, version, wait)).version();
                } catch (ResolutionSource.ServiceNotFound e) {
                    stop(e);
                    return;
                } catch (IOException e) {
                    if (!latest.get().isDone()) {
                        // No answer to fall back on: fail the waiting requests and let the next one ask again.
                        stop(e);
                        return;
                    }
                    LOG.warn("naming service unreachable for {} ({}); using its last resolution", service, e.getMessage());
                    try {
                        Thread.sleep(RETRY_AFTER_ERROR);
                    } catch (InterruptedException ie) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void stop(IOException e) {
            watchers.remove(service, this);
            CompletableFuture<ServiceResolution> failed = CompletableFuture.failedFuture(e);
            CompletableFuture<ServiceResolution> old = latest.getAndSet(failed);
            old.completeExceptionally(e);
        }

        /** Makes {@code r} the latest unless a newer one is already known; returns the latest. */
        synchronized ServiceResolution publish(ServiceResolution r) {
            CompletableFuture<ServiceResolution> current = latest.get();
            if (!current.isDone()) {
                current.complete(r);
                endpointsChanged(null, r);
                return r;
            }
            ServiceResolution known = current.isCompletedExceptionally() ? null : current.getNow(null);
            if (known != null && known.version() >= r.version()) {
                return known;
            }
            if (known == null || !known.atVersion(0).equals(r.atVersion(0))) {
                changes.incrementAndGet();
                endpointsChanged(known, r);
            }
            latest.set(CompletableFuture.completedFuture(r));
            return r;
        }
    }
}
