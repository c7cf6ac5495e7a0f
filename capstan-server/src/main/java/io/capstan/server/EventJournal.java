package io.capstan.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.capstan.model.CapstanJson;
import io.capstan.state.AuditRecord;
import io.capstan.state.ClusterEvent;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ClusterStore;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes every cluster event committed after the server started as one JSON line
 * ({@code {"index":..,"at":..,"kind":..,"entity":..,"message":..}}), so log shippers get structured
 * events without polling {@code /v1/events}. Beside them, every accepted write of the audit trail as one line with
 * {@code "kind":"Audit"} ({@code {"kind":"Audit","index":..,"at":..,"actor":..,"tokenId":..,"method":..,"path":..,
 * "command":..}}). Events and records before the start are not repeated on a restart.
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
                for (AuditRecord r : s.audit().tailMap(seen + 1).values()) {
                    out.println(line(r));
                }
                out.flush();
                seen = s.index();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String line(AuditRecord r) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("kind", "Audit");
        fields.put("index", r.index());
        fields.put("at", r.at());
        fields.put("actor", r.actor());
        fields.put("tokenId", r.tokenId());
        fields.put("method", r.method());
        fields.put("path", r.path());
        fields.put("command", r.command());
        return line((Object) fields);
    }

    String line(Object e) {
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
