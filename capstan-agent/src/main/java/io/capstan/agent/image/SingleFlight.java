package io.capstan.agent.image;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/** Work done once per key at a time: callers that ask while it runs wait for that run's result (or failure). */
final class SingleFlight<K, V> {

    /** The work for one key. */
    interface Work<V> {
        V run() throws IOException, InterruptedException;
    }

    private final Map<K, CompletableFuture<V>> running = new ConcurrentHashMap<>();

    V run(K key, Work<V> work) throws IOException, InterruptedException {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> other = running.putIfAbsent(key, mine);
        if (other != null) {
            try {
                return other.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }
        try {
            V result = work.run();
            mine.complete(result);
            return result;
        } catch (IOException | InterruptedException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            running.remove(key, mine);
        }
    }
}
