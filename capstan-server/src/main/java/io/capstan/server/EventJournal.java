package io.capstan.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.capstan.model.CapstanJson;
import io.capstan.state.ClusterEvent;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterStore;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Writes every cluster event committed after the server started as one JSON line
 * ({@code {"index":..,"at":..,"kind":..,"entity":..,"message":..}}), so log shippers get structured
 * events without polling {@code /v1/events}. Events before the start are not repeated on a restart.
 */
final class EventJournal implements AutoCloseable {

    private final ClusterStore store;
    private final PrintStream out;
    private final ObjectWriter json = CapstanJson.newMapper().writer();
    private final Thread thread;

    EventJournal(ClusterStore store, PrintStream out) {
        this.store = store;
        this.out = out;
        this.thread = Thread.ofVirtual().name("event-journal").unstarted(this::follow);
    }

    EventJournal start() {
        thread.start();
        return this;
    }

    private void follow() {
        long seen = store.snapshot().index();
        try {
            while (!Thread.currentThread().isInterrupted()) {
                ClusterSnapshot s = store.awaitAfter(seen, Duration.ofSeconds(30));
                for (ClusterEvent e : s.eventsAfter(seen)) {
                    out.println(line(e));
                }
                out.flush();
                seen = s.index();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String line(ClusterEvent e) {
        try {
            return json.writeValueAsString(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("an event did not serialize: " + e, ex);
        }
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
