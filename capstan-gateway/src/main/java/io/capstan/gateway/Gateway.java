package io.capstan.gateway;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The naming-aware reverse proxy: {@code http://HOST:PORT/App/Service/path?PartitionKey=K} to a live endpoint of that
 * service, through the filters timeout, retry, routing, load balancing, circuit breaker and forward, in that order.
 * Speaks HTTP/1.1 and HTTP/2 with prior knowledge (h2c), and each request goes to the backend in the protocol it came in.
 * Lifecycle: {@link #start} then {@link #close}.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private static final Duration WATCH_WAIT = Duration.ofSeconds(30);

    private final GatewayConfig config;
    private final ResolutionCache cache;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final BackendPools pools = new BackendPools(2000, new ConnectionCounter(metrics.backendConnections()));
    private final CircuitBreakerFilter breakers;
    private final LoadBalancingFilter balancer;
    private EventLoopGroup group;
    private Channel listener;

    public Gateway(GatewayConfig config) {
        this(config, new NamingClient(config.servers()));
    }

    /** A gateway resolving names through {@code naming}. */
    public Gateway(GatewayConfig config, ResolutionSource naming) {
        this.config = config;
        this.cache = new ResolutionCache(naming, WATCH_WAIT, config.watchIdle());
        this.breakers = new CircuitBreakerFilter(config.breaker());
        metrics.bindBreakers(breakers.registry());
        cache.onEndpointChanges(new ResolutionCache.EndpointChanges() {
            @Override
            public void joined(java.util.Set<String> addresses) {
                pools.unretire(addresses);
            }

            @Override
            public void left(java.util.Set<String> addresses) {
                pools.retire(addresses);
            }
        });
        this.balancer = new LoadBalancingFilter(config);
    }

    /** Binds and serves; returns the port listened on. */
    public int start() throws InterruptedException {
        List<ProxyFilter> filters = List.of(new TimeoutFilter(config.defaultTimeout()),
                new RetryFilter(config.retry(), () -> ThreadLocalRandom.current().nextDouble()),
                new RoutingFilter(cache, metrics), balancer, breakers, new ForwardFilter(pools));
        ConnectionCounter clientConnections = new ConnectionCounter(metrics.clientConnections());
        group = new MultiThreadIoEventLoopGroup(config.ioThreads() > 0 ? config.ioThreads()
                : Runtime.getRuntime().availableProcessors(), NioIoHandler.newFactory());
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(clientConnections, new ProtocolDetector(
                                ctx -> ctx.pipeline().addLast(new HttpServerCodec(4096, 8192, 65536), new HttpServerExpectContinueHandler(),
                                        new FrontendHandler(filters, pools, metrics, false)),
                                ctx -> {
                                    // HTTP/2 flow control holds each stream back; the connection itself reads freely.
                                    ctx.channel().config().setAutoRead(true);
                                    ctx.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                            new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                                @Override
                                                protected void initChannel(Http2StreamChannel stream) {
                                                    stream.config().setAutoRead(false);
                                                    stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                                            new FrontendHandler(filters, pools, metrics, true));
                                                }
                                            }));
                                }));
                    }
                })
                .bind(config.host(), config.port()).sync().channel();
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        LOG.info("gateway listening on http://{}:{}", config.host(), port);
        return port;
    }

    /** The resolution cache, to see what is watched. */
    public ResolutionCache resolutions() {
        return cache;
    }

    /** The gateway's metrics (also served on {@code /metrics}). */
    public GatewayMetrics metrics() {
        return metrics;
    }

    /** The breaker state of an endpoint (host:port): CLOSED, OPEN or HALF_OPEN. */
    public String breakerState(String endpoint) {
        return breakers.state(endpoint).name();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        cache.close();
        pools.close();
        if (group != null) {
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
