package io.capstan.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.util.concurrent.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keep-alive connections to backends, one pool per endpoint and per event loop: a client connection's request goes out
 * on a backend connection of the same event loop, so the two never cross threads (as in Netty's proxy example).
 */
final class BackendPools {

    private final Map<EventLoop, Map<String, SimpleChannelPool>> pools = new ConcurrentHashMap<>();
    private final int connectTimeoutMillis;

    BackendPools(int connectTimeoutMillis) {
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    /** A connection to {@code address} (host:port) on {@code loop}: an idle pooled one, or a new one. */
    Future<Channel> acquire(EventLoop loop, String address) {
        return pool(loop, address).acquire();
    }

    /** Returns a connection whose response is complete to its pool. */
    void release(Channel ch, String address) {
        ch.pipeline().get(BackendHandler.class).idle();
        pool(ch.eventLoop(), address).release(ch);
    }

    private SimpleChannelPool pool(EventLoop loop, String address) {
        return pools.computeIfAbsent(loop, l -> new HashMap<>()).computeIfAbsent(address, a -> {
            int colon = a.lastIndexOf(':');
            Bootstrap b = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                    .remoteAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1)));
            return new SimpleChannelPool(b, new AbstractChannelPoolHandler() {
                @Override
                public void channelCreated(Channel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new BackendHandler());
                }
            }, ChannelHealthChecker.ACTIVE, true, true);
        });
    }

    void close() {
        pools.values().forEach(m -> m.values().forEach(SimpleChannelPool::close));
    }
}
