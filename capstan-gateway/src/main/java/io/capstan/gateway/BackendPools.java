package io.capstan.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keep-alive connections to backends, one pool per endpoint and per event loop: a client connection's request goes out
 * on a backend connection of the same event loop, so the two never cross threads (as in Netty's proxy example).
 * HTTP/2 requests share one h2c connection per endpoint and event loop, a stream each.
 */
final class BackendPools {

    private final Map<EventLoop, Map<String, SimpleChannelPool>> pools = new ConcurrentHashMap<>();
    private final Map<EventLoop, Map<String, ChannelFuture>> http2Connections = new ConcurrentHashMap<>();
    private final int connectTimeoutMillis;
    private final ConnectionCounter counter;
    /** Endpoints that left every resolution: their connections are closed, not pooled, so a drain can end. */
    private final Set<String> retired = ConcurrentHashMap.newKeySet();

    BackendPools(int connectTimeoutMillis, ConnectionCounter counter) {
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.counter = counter;
    }

    /**
     * A connection to {@code address} (host:port) on {@code loop}: an idle pooled HTTP/1.1 one or a new one, or with
     * {@code http2} a new stream on the endpoint's shared HTTP/2 connection (h2c, prior knowledge).
     */
    Future<Channel> acquire(EventLoop loop, String address, boolean http2) {
        return http2 ? stream(loop, address) : pool(loop, address).acquire();
    }

    /** Returns a connection whose response is complete to its pool; an HTTP/2 stream just ends. */
    void release(Channel ch, String address) {
        if (ch instanceof Http2StreamChannel) {
            ch.close();
            return;
        }
        if (retired.contains(address)) {
            ch.close();
            return;
        }
        ch.pipeline().get(BackendHandler.class).idle();
        pool(ch.eventLoop(), address).release(ch);
    }

    /**
     * {@code addresses} left their service's resolution (the replica is being drained or is gone): idle connections
     * to them are closed on every event loop, and busy ones are closed when their response is done.
     */
    void retire(Set<String> addresses) {
        retired.addAll(addresses);
        pools.forEach((loop, byAddress) -> loop.execute(() -> {
            for (String a : addresses) {
                SimpleChannelPool p = byAddress.remove(a);
                if (p != null) {
                    p.close();
                }
            }
        }));
    }

    /** {@code addresses} are in a resolution again (a new replica on a reused port): pooled as usual. */
    void unretire(Set<String> addresses) {
        retired.removeAll(addresses);
    }

    private Future<Channel> stream(EventLoop loop, String address) {
        Promise<Channel> result = loop.newPromise();
        Map<String, ChannelFuture> connections = http2Connections.computeIfAbsent(loop, l -> new HashMap<>());
        ChannelFuture connection = connections.get(address);
        if (connection == null || (connection.isDone() && !connection.channel().isActive())) {
            connection = bootstrap(loop, address).option(ChannelOption.AUTO_READ, true).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(counter, Http2FrameCodecBuilder.forClient().build(),
                            new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                }
            }).connect();
            connections.put(address, connection);
            ChannelFuture mine = connection;
            connection.channel().closeFuture().addListener(f -> connections.remove(address, mine));
        }
        connection.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                result.setFailure(f.cause());
                return;
            }
            new Http2StreamChannelBootstrap(f.channel()).option(ChannelOption.AUTO_READ, false)
                    .handler(new ChannelInitializer<Http2StreamChannel>() {
                        @Override
                        protected void initChannel(Http2StreamChannel ch) {
                            ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new BackendHandler());
                        }
                    }).open().addListener(s -> {
                        if (s.isSuccess()) {
                            result.setSuccess((Channel) s.getNow());
                        } else {
                            result.setFailure(s.cause());
                        }
                    });
        });
        return result;
    }

    private Bootstrap bootstrap(EventLoop loop, String address) {
        int colon = address.lastIndexOf(':');
        return new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .remoteAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }

    private SimpleChannelPool pool(EventLoop loop, String address) {
        return pools.computeIfAbsent(loop, l -> new HashMap<>()).computeIfAbsent(address, a -> {
            Bootstrap b = bootstrap(loop, a).option(ChannelOption.AUTO_READ, false);
            return new SimpleChannelPool(b, new AbstractChannelPoolHandler() {
                @Override
                public void channelCreated(Channel ch) {
                    ch.pipeline().addLast(counter, new HttpClientCodec(4096, 8192, 65536), new BackendHandler());
                }
            }, ChannelHealthChecker.ACTIVE, true, true);
        });
    }

    void close() {
        // Copies: the maps belong to their event loops, which may change them (a closed connection leaves its map)
        // while this runs on another thread.
        pools.values().forEach(m -> java.util.List.copyOf(m.values()).forEach(SimpleChannelPool::close));
        http2Connections.values().forEach(m -> java.util.List.copyOf(m.values()).forEach(f -> f.channel().close()));
    }
}
