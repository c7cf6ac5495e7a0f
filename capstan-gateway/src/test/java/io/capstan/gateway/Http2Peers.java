package io.capstan.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Real HTTP/2 (h2c, prior knowledge) peers on Netty's HTTP/2 codec, for gRPC-style streaming: a server that answers a
 * stream's headers at once, echoes each DATA frame as it comes and ends with {@code grpc-status: 0} trailers, and a
 * client stream that records what comes back.
 */
final class Http2Peers implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private Channel server;
    private Channel client;

    String startEchoServer() throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel stream) {
                                        stream.pipeline().addLast(new EchoStream());
                                    }
                                }));
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Echoes a stream's DATA frames one by one, each as soon as it arrives. */
    private static final class EchoStream extends SimpleChannelInboundHandler<Http2StreamFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
            if (frame instanceof Http2HeadersFrame h && !h.isEndStream()) {
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                        .set("content-type", "application/grpc").set("x-path", h.headers().path())));
            } else if (frame instanceof Http2DataFrame d) {
                if (d.content().isReadable()) {
                    ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("echo: "
                            + d.content().toString(StandardCharsets.UTF_8), StandardCharsets.UTF_8)));
                }
                if (d.isEndStream()) {
                    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0"), true));
                }
            }
        }
    }

    /** Opens a client stream to the gateway; every frame that comes back is put on {@code received} as text. */
    Http2StreamChannel openStream(int port, BlockingQueue<String> received) throws InterruptedException {
        if (client == null) {
            client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        }
                    }).connect("127.0.0.1", port).sync().channel();
        }
        return new Http2StreamChannelBootstrap(client).handler(new SimpleChannelInboundHandler<Http2StreamFrame>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
                if (frame instanceof Http2HeadersFrame h) {
                    received.add((h.isEndStream() ? "trailers " : "headers ") + h.headers());
                } else if (frame instanceof Http2DataFrame d && d.content().isReadable()) {
                    received.add(d.content().toString(StandardCharsets.UTF_8));
                }
            }
        }).open().sync().getNow();
    }

    static BlockingQueue<String> queue() {
        return new LinkedBlockingQueue<>();
    }

    @Override
    public void close() {
        if (client != null) {
            client.close().syncUninterruptibly();
        }
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
