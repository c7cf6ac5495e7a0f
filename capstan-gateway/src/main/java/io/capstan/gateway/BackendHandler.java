package io.capstan.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The end of a pooled backend connection: hands the response head to whoever sent the request, and its body chunks
 * to whoever streams them on. Chunks decoded before a streamer is attached wait here (at most one socket read).
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {

    /** Receives one response. */
    interface Listener {
        void head(HttpResponse head);

        void content(HttpContent chunk);

        /** The connection closed before the response was complete. */
        void closed();
    }

    private Listener listener;
    private boolean streaming;
    private boolean inResponse;
    private final ArrayDeque<HttpContent> early = new ArrayDeque<>();

    void expect(Listener l) {
        listener = l;
        streaming = false;
        inResponse = true;
    }

    void stream(Listener l) {
        listener = l;
        streaming = true;
        while (!early.isEmpty() && streaming) {
            deliver(early.poll());
        }
    }

    private void deliver(HttpContent c) {
        if (c instanceof io.netty.handler.codec.http.LastHttpContent) {
            inResponse = false;
        }
        listener.content(c);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (listener == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse head) {
            if (head.status().code() == 100) {
                return;
            }
            listener.head(head);
        }
        if (msg instanceof io.netty.buffer.ByteBuf raw) {
            // Bytes after a 101 Switching Protocols: the codec passes them through undecoded.
            msg = new io.netty.handler.codec.http.DefaultHttpContent(raw);
        }
        if (msg instanceof HttpContent c) {
            if (streaming) {
                deliver(c);
            } else {
                early.add(c);
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
        if (listener != null && inResponse) {
            listener.closed();
        }
        listener = null;
    }

    /** What arrived after the response head and was not streamed yet (after a 101: the first upgraded bytes). */
    java.util.List<HttpContent> drainEarly() {
        java.util.List<HttpContent> out = new java.util.ArrayList<>(early);
        early.clear();
        return out;
    }

    /** Between responses the connection sits idle in its pool. */
    void idle() {
        listener = null;
        inResponse = false;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
