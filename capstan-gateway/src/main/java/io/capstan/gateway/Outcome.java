package io.capstan.gateway;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/** How one attempt ended: a backend answered (its body still to stream), or it failed and the gateway must answer. */
public sealed interface Outcome {

    /** Frees what the outcome holds when nobody will use it (a retried or timed-out attempt). */
    void discard();

    /**
     * A backend's response head; the body follows on {@code backend}. {@code finished} completes when the whole
     * response has been passed on (or the exchange was abandoned).
     */
    record Responded(HttpResponse head, Channel backend, String endpoint, CompletableFuture<Void> finished) implements Outcome {
        @Override
        public void discard() {
            backend.close();
            finished.complete(null);
        }

        public int status() {
            return head.status().code();
        }
    }

    /**
     * The gateway could not get an answer. {@code status} is what the client gets (400, 404, 502, 503, 504);
     * {@code requestSent} says whether any of the request reached a backend (then it is retried only if idempotent).
     */
    record Failed(int status, Failure failure, String message, String partition, String endpoint, boolean requestSent,
            int attempts) implements Outcome {
        @Override
        public void discard() {
        }

        public Failed withAttempts(int n) {
            return new Failed(status, failure, message, partition, endpoint, requestSent, n);
        }

        public Failed withPartition(String p) {
            return new Failed(status, failure, message, p, endpoint, requestSent, attempts);
        }
    }

    /** What went wrong, and whether trying again elsewhere could help. */
    enum Failure {
        BAD_REQUEST(false), SERVICE_NOT_FOUND(false), NAMING_UNAVAILABLE(true), NO_ENDPOINT(true), CIRCUIT_OPEN(true),
        CONNECT_FAILED(true), RESET(true), TIMEOUT(false), RETRIES_EXHAUSTED(false), RETRY_BUDGET_EXHAUSTED(false);

        private final boolean retryable;

        Failure(boolean retryable) {
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }
}
