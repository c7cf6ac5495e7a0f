package io.capstan.gateway;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Set;

/**
 * One client request and its body as it arrives, confined to the client connection's event loop. Body chunks that
 * arrive before a backend is connected wait in {@code pending} (at most one socket read: the client is not read
 * again until they are sent), so a connection failure can still be retried elsewhere with nothing lost.
 */
public final class Exchange {

    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);

    final Channel client;
    final HttpRequest head;
    final Route route;
    final boolean hasBody;
    final ArrayDeque<HttpContent> pending = new ArrayDeque<>();
    boolean requestComplete;
    boolean bodySent;
    /** The backend connection the request body currently goes to. */
    Channel backend;
    boolean abandoned;
    /** The client asked for a protocol upgrade (WebSocket): on a 101 the connection becomes a byte relay. */
    boolean upgrade;
    /** The request came as an HTTP/2 stream: it goes to the backend as one too. */
    boolean http2;
    /** When the request head arrived (System.nanoTime). */
    final long startNanos = System.nanoTime();
    /** The service's meters, once it resolved (a name that never did counts as unknown). */
    GatewayMetrics.ServiceMeters meters;
    /** What the service's manifest asks for, from its latest resolution (null: it says nothing). */
    io.capstan.model.LoadBalancing manifestLoadBalancing;

    Exchange(Channel client, HttpRequest head, Route route, boolean hasBody) {
        this.client = client;
        this.head = head;
        this.route = route;
        this.hasBody = hasBody;
    }

    /** Whether a failed attempt may be sent again after a backend has seen it: idempotent and with no body to replay. */
    boolean replayable() {
        return IDEMPOTENT.contains(head.method()) && !hasBody;
    }

    /** A chunk of the request body from the client: straight to the backend, or kept until one is connected. */
    void bodyChunk(HttpContent chunk) {
        if (chunk instanceof LastHttpContent) {
            requestComplete = true;
        }
        if (abandoned || !hasBody) {
            // Without a body the end marker is written with the head on every attempt (see connected).
            ReferenceCountUtil.release(chunk);
            return;
        }
        if (backend == null) {
            pending.add(chunk);
            return;
        }
        boolean last = chunk instanceof LastHttpContent;
        bodySent = true;
        backend.writeAndFlush(chunk).addListener(f -> {
            if (f.isSuccess() && !last) {
                client.read();
            }
        });
    }

    /**
     * Sends the kept chunks to a newly connected backend after {@code headWritten}; the client is read again once
     * they are written. A request without a body is replayed whole on every attempt.
     */
    void connected(Channel to, io.netty.channel.ChannelFuture headWritten) {
        backend = to;
        io.netty.channel.ChannelFuture last = headWritten;
        if (!hasBody) {
            pending.forEach(ReferenceCountUtil::release);
            pending.clear();
            last = to.write(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        boolean ended = !hasBody;
        while (!pending.isEmpty()) {
            HttpContent c = pending.poll();
            ended |= c instanceof LastHttpContent;
            bodySent = true;
            last = to.write(c);
        }
        to.flush();
        if (!ended && !requestComplete) {
            last.addListener(f -> {
                if (f.isSuccess()) {
                    client.read();
                }
            });
        }
    }

    /** The client went away or the gateway answered itself: nothing more goes to a backend. */
    void abandon() {
        abandoned = true;
        pending.forEach(ReferenceCountUtil::release);
        pending.clear();
    }
}
