package io.capstan.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.model.CapstanJson;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One client connection (read by hand: auto-read is off, so a client is read only as fast as its request can be
 * forwarded). A request runs through the filters; the response head that comes back is passed on and its body streamed
 * chunk by chunk, reading the backend again only when the client has taken the last chunk.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {

    private static final ObjectMapper JSON = CapstanJson.newMapper();
    private static final List<CharSequence> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE,
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION);

    private final List<ProxyFilter> filters;
    private final BackendPools pools;
    private final GatewayMetrics metrics;
    private final boolean http2;
    private Exchange exchange;
    private boolean keepAlive;

    /** With {@code http2}, this handler serves one HTTP/2 stream (its frames seen as HTTP objects). */
    FrontendHandler(List<ProxyFilter> filters, BackendPools pools, GatewayMetrics metrics, boolean http2) {
        this.filters = filters;
        this.pools = pools;
        this.metrics = metrics;
        this.http2 = http2;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            request(ctx, req);
        }
        if (msg instanceof HttpContent c) {
            if (exchange == null) {
                ReferenceCountUtil.release(c);
            } else {
                exchange.bodyChunk(c);
            }
        }
    }

    private void request(ChannelHandlerContext ctx, HttpRequest req) {
        keepAlive = HttpUtil.isKeepAlive(req);
        if (req.decoderResult().isFailure()) {
            keepAlive = false;
            answer(ctx.channel(), null, error(400, "BAD_REQUEST", "the request is not valid HTTP: "
                    + req.decoderResult().cause().getMessage(), null, null, null, 0));
            return;
        }
        if (isMetricsScrape(req)) {
            scrape(ctx);
            return;
        }
        Route route;
        try {
            route = Route.parse(req.uri());
        } catch (IllegalArgumentException e) {
            exchange = new Exchange(ctx.channel(), req, null, false);
            exchange.abandon();
            metrics.unknownService().answered(400, System.nanoTime() - exchange.startNanos);
            answer(ctx.channel(), exchange, error(400, "BAD_REQUEST", e.getMessage(), null, null, null, 0));
            return;
        }
        boolean hasBody = HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0;
        String upgrade = req.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                ? req.headers().get(HttpHeaderNames.UPGRADE) : null;
        String te = req.headers().get(HttpHeaderNames.TE);
        forwardedHeaders(ctx.channel(), req.headers());
        if (http2) {
            // HTTP/2 allows "te: trailers" (gRPC needs it); which stream it was on is no business of the backend.
            if ("trailers".equalsIgnoreCase(te)) {
                req.headers().set(HttpHeaderNames.TE, "trailers");
            }
            req.headers().remove(io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
            req.headers().set(io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "http");
        }
        if (upgrade != null) {
            req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            req.headers().set(HttpHeaderNames.UPGRADE, upgrade);
        }
        Exchange ex = new Exchange(ctx.channel(), req, route, hasBody);
        ex.upgrade = upgrade != null;
        ex.http2 = http2;
        exchange = ex;
        new FilterChain(filters, 0, Attempt.first(ex)).proceed(Attempt.first(ex)).whenComplete((o, e) -> {
            Outcome out = o != null ? o : new Outcome.Failed(502, Outcome.Failure.RESET, "gateway error: " + e, null,
                    null, ex.bodySent, 0);
            if (ctx.executor().inEventLoop()) {
                outcome(ctx, ex, out);
            } else {
                ctx.executor().execute(() -> outcome(ctx, ex, out));
            }
        });
    }

    private void forwardedHeaders(Channel client, HttpHeaders h) {
        String host = h.get(HttpHeaderNames.HOST);
        String ip = ((InetSocketAddress) client.remoteAddress()).getAddress().getHostAddress();
        String prior = h.get("X-Forwarded-For");
        HOP_BY_HOP.forEach(h::remove);
        h.set("X-Forwarded-For", prior == null ? ip : prior + ", " + ip);
        h.set("X-Forwarded-Proto", "http");
        if (host != null) {
            h.set("X-Forwarded-Host", host);
        }
    }

    private static boolean isMetricsScrape(HttpRequest req) {
        String uri = req.uri();
        return uri.startsWith("/metrics") && (uri.length() == 8 || uri.charAt(8) == '?')
                && req.method().equals(io.netty.handler.codec.http.HttpMethod.GET);
    }

    /** Serves {@code GET /metrics}: formatting can take a while with many services, so not on the event loop. */
    private void scrape(ChannelHandlerContext ctx) {
        exchange = new Exchange(ctx.channel(), null, null, false);
        exchange.requestComplete = false;
        Exchange ex = exchange;
        Thread.ofVirtual().name("gateway-metrics-scrape").start(() -> {
            byte[] body = metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ctx.executor().execute(() -> {
                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.wrappedBuffer(body));
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                ex.abandon();
                answer(ctx.channel(), ex, r);
            });
        });
    }

    private void outcome(ChannelHandlerContext ctx, Exchange ex, Outcome o) {
        GatewayMetrics.ServiceMeters meters = ex.meters != null ? ex.meters : metrics.unknownService();
        if (!ctx.channel().isActive() || ex.abandoned) {
            meters.answered(499, System.nanoTime() - ex.startNanos);
            o.discard();
            return;
        }
        switch (o) {
            case Outcome.Failed f -> {
                meters.answered(f.status(), System.nanoTime() - ex.startNanos);
                ex.abandon();
                answer(ctx.channel(), ex, error(f.status(), f.failure().name(), f.message(), ex.route.service().shortName(),
                        f.partition(), f.endpoint(), f.attempts()));
            }
            case Outcome.Responded r -> {
                int status = r.status();
                r.finished().whenComplete((v, e) -> meters.answered(status, System.nanoTime() - ex.startNanos));
                stream(ctx, ex, r);
            }
        }
    }

    private void stream(ChannelHandlerContext ctx, Exchange ex, Outcome.Responded r) {
        HttpResponse head = r.head();
        if (ex.upgrade && head.status().code() == 101) {
            switchProtocols(ctx, r);
            return;
        }
        boolean backendKeepAlive = HttpUtil.isKeepAlive(head);
        HOP_BY_HOP.forEach(head.headers()::remove);
        boolean delimitedByClose = !HttpUtil.isContentLengthSet(head) && !HttpUtil.isTransferEncodingChunked(head)
                && head.status().code() >= 200 && head.status().code() != 204 && head.status().code() != 304;
        if (delimitedByClose) {
            HttpUtil.setTransferEncodingChunked(head, true);
            backendKeepAlive = false;
        }
        HttpUtil.setKeepAlive(head, keepAlive);
        head.setProtocolVersion(HttpVersion.HTTP_1_1);
        Channel client = ctx.channel();
        Channel backend = r.backend();
        boolean reuseBackend = backendKeepAlive;
        client.write(head);
        backend.pipeline().get(BackendHandler.class).stream(new BackendHandler.Listener() {
            @Override
            public void head(HttpResponse ignored) {
            }

            @Override
            public void content(HttpContent chunk) {
                boolean last = chunk instanceof LastHttpContent;
                client.writeAndFlush(chunk).addListener(f -> {
                    if (!f.isSuccess()) {
                        backend.close();
                        r.finished().complete(null);
                        return;
                    }
                    if (!last) {
                        backend.read();
                        return;
                    }
                    r.finished().complete(null);
                    if (reuseBackend && ex.requestComplete) {
                        pools.release(backend, r.endpoint());
                    } else {
                        backend.close();
                    }
                    next(client, ex);
                });
            }

            @Override
            public void closed() {
                r.finished().complete(null);
                client.close();
            }
        });
        client.flush();
        backend.read();
    }

    /**
     * A 101 from the backend: passes it on, then both connections stop speaking HTTP and relay bytes. The relays go in
     * before the codecs come out, so bytes the codecs had already read go on to them.
     */
    private void switchProtocols(ChannelHandlerContext ctx, Outcome.Responded r) {
        Channel client = ctx.channel();
        Channel backend = r.backend();
        BackendHandler handler = backend.pipeline().get(BackendHandler.class);
        client.writeAndFlush(r.head()).addListener(f -> {
            if (!f.isSuccess()) {
                backend.close();
                r.finished().complete(null);
                return;
            }
            exchange = null;
            for (HttpContent early : handler.drainEarly()) {
                if (early.content().isReadable()) {
                    client.write(early.content());
                } else {
                    early.release();
                }
            }
            client.flush();
            backend.pipeline().addLast(new Relay(client));
            backend.pipeline().remove(handler);
            backend.pipeline().remove(io.netty.handler.codec.http.HttpClientCodec.class);
            client.pipeline().addLast(new Relay(backend));
            client.pipeline().remove(this);
            client.pipeline().remove(io.netty.handler.codec.http.HttpServerExpectContinueHandler.class);
            client.pipeline().remove(io.netty.handler.codec.http.HttpServerCodec.class);
            r.finished().complete(null);
            client.read();
            backend.read();
        });
    }

    /** After a complete answer: the next request on a kept-alive connection, or the end of it. */
    private void next(Channel client, Exchange ex) {
        exchange = null;
        if (keepAlive && ex.requestComplete) {
            client.read();
        } else {
            client.close();
        }
    }

    private void answer(Channel client, Exchange ex, FullHttpResponse response) {
        boolean reuse = keepAlive && (ex == null || ex.requestComplete);
        HttpUtil.setKeepAlive(response, reuse);
        client.writeAndFlush(response).addListener(f -> {
            if (reuse) {
                exchange = null;
                client.read();
            } else {
                client.close();
            }
        });
    }

    /** The gateway's own error: what failed, for which service, partition and endpoint, after how many attempts. */
    static FullHttpResponse error(int status, String code, String message, String service, String partition,
            String endpoint, int attempts) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("code", code);
        detail.put("message", message);
        if (service != null) {
            detail.put("service", service);
        }
        if (partition != null) {
            detail.put("partition", partition);
        }
        if (endpoint != null) {
            detail.put("endpoint", endpoint);
        }
        if (attempts > 0) {
            detail.put("attempts", attempts);
        }
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(Map.of("error", detail));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set("X-Capstan-Gateway", "error");
        return r;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.abandon();
            if (exchange.backend != null && exchange.backend.isActive()) {
                exchange.backend.close();
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    static ChannelFutureListener closeOnFailure() {
        return ChannelFutureListener.CLOSE_ON_FAILURE;
    }
}
