package io.capstan.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tells HTTP/2 with prior knowledge (h2c: the connection starts with the HTTP/2 preface) from HTTP/1.1 by the first
 * bytes, then replaces itself with the handlers of that protocol; the bytes it has read go on to them.
 */
final class ProtocolDetector extends ByteToMessageDecoder {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final Consumer<ChannelHandlerContext> http1;
    private final Consumer<ChannelHandlerContext> http2;

    ProtocolDetector(Consumer<ChannelHandlerContext> http1, Consumer<ChannelHandlerContext> http2) {
        this.http1 = http1;
        this.http2 = http2;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        ctx.read();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n)) {
            decided(ctx, http1);
        } else if (n == PREFACE.readableBytes()) {
            decided(ctx, http2);
        }
    }

    private void decided(ChannelHandlerContext ctx, Consumer<ChannelHandlerContext> install) {
        install.accept(ctx);
        ctx.pipeline().remove(this);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        super.channelReadComplete(ctx);
        if (ctx.pipeline().context(this) != null) {
            ctx.read();
        }
    }
}
