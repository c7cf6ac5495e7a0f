package io.capstan.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * After a protocol upgrade (WebSocket): bytes from one side to the other, reading again only once the other side has
 * taken them (the backpressure of Netty's proxy example); either side closing closes the other after a flush.
 */
final class Relay extends ChannelInboundHandlerAdapter {

    private final Channel other;

    Relay(Channel other) {
        this.other = other;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // The codec being removed may still hand over the end marker of the 101 or bytes wrapped as content.
        if (msg instanceof io.netty.handler.codec.http.HttpContent c) {
            msg = c.content();
        }
        if (msg instanceof io.netty.buffer.ByteBuf b && !b.isReadable()) {
            b.release();
            ctx.channel().read();
            return;
        }
        other.writeAndFlush(msg).addListener(f -> {
            if (f.isSuccess()) {
                ctx.channel().read();
            } else {
                ctx.close();
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (other.isActive()) {
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
