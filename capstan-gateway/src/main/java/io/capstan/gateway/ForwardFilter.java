package io.capstan.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/**
 * The last filter: sends the request to the chosen endpoint over a pooled connection and answers with the response
 * head once it arrives; the body streams on afterwards.
 */
final class ForwardFilter implements ProxyFilter {

    private final BackendPools pools;

    ForwardFilter(BackendPools pools) {
        this.pools = pools;
    }

    @Override
    public CompletableFuture<Outcome> filter(Chain chain) {
        Attempt a = chain.attempt();
        Exchange ex = a.exchange();
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        pools.acquire(ex.client.eventLoop(), a.endpoint(), ex.http2).addListener(f -> {
            if (!f.isSuccess()) {
                result.complete(new Outcome.Failed(502, Outcome.Failure.CONNECT_FAILED, "cannot connect to "
                        + a.endpoint() + ": " + f.cause().getMessage(), a.partition(), a.endpoint(), false, a.number()));
                return;
            }
            Channel backend = (Channel) f.getNow();
            if (ex.abandoned) {
                pools.release(backend, a.endpoint());
                result.complete(new Outcome.Failed(499, Outcome.Failure.TIMEOUT, "the client went away", a.partition(),
                        a.endpoint(), false, a.number()));
                return;
            }
            backend.pipeline().get(BackendHandler.class).expect(new BackendHandler.Listener() {
                @Override
                public void head(HttpResponse head) {
                    result.complete(new Outcome.Responded(head, backend, a.endpoint(), new CompletableFuture<>()));
                }

                @Override
                public void content(HttpContent chunk) {
                    chunk.release();
                }

                @Override
                public void closed() {
                    result.complete(new Outcome.Failed(502, Outcome.Failure.RESET, a.endpoint()
                            + " closed the connection before answering", a.partition(), a.endpoint(), true, a.number()));
                }
            });
            HttpRequest head = new DefaultHttpRequest(ex.head.protocolVersion(), ex.head.method(), ex.route.backendUri(),
                    ex.head.headers().copy());
            ChannelFuture written = backend.write(head);
            ex.connected(backend, written);
            backend.read();
        });
        return result;
    }
}
