package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "events", description = "The cluster's events (its log seen as events); --follow keeps reading.")
final class EventsCommand extends ApiCommand {

    /** How long each blocking read of {@code --follow} waits on the server. */
    static final Duration FOLLOW_WAIT = Duration.ofSeconds(30);

    @Option(names = "--follow", description = "Keep printing new events until interrupted.")
    boolean follow;

    @Option(names = "--entity", paramLabel = "X", description = "Only events whose entity contains X.")
    String entity;

    @Option(names = "--since-index", paramLabel = "N", description = "Only events after state index N.")
    Long sinceIndex;

    /** Stops {@code --follow} after this many reads; for tests (0: until interrupted). */
    long maxReads;

    @Override
    public Integer call() {
        if (sinceIndex != null && sinceIndex < 0) {
            throw usage("--since-index must be 0 or more; got " + sinceIndex);
        }
        if (!follow) {
            Map<String, String> q = new LinkedHashMap<>();
            if (sinceIndex != null) {
                q.put("index", Long.toString(sinceIndex));
                q.put("wait", "0s");
            }
            q.put("entity", entity);
            showList(api().get(ApiClient.withQuery("/v1/events", q)), "no events", EventsCommand::table);
            return 0;
        }
        long index = sinceIndex == null ? 0 : sinceIndex;
        Map<String, String> q = new LinkedHashMap<>();
        q.put("entity", entity);
        String path = ApiClient.withQuery("/v1/events", q);
        boolean header = true;
        for (long reads = 0; maxReads == 0 || reads < maxReads; reads++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CliException("interrupted");
            }
            ApiResponse response = api().getBlocking(path, index, FOLLOW_WAIT);
            JsonNode body = response.json();
            List<JsonNode> items = Json.items(body);
            if (json()) {
                if (!items.isEmpty()) {
                    printBody(response);
                }
            } else {
                for (JsonNode e : items) {
                    if (header) {
                        out().println(line("INDEX", "AT", "KIND", "ENTITY", "MESSAGE"));
                        header = false;
                    }
                    out().println(line(Json.text(e, "index"), Json.text(e, "at"), Json.text(e, "kind"),
                            Json.text(e, "entity"), Json.text(e, "message")));
                }
            }
            out().flush();
            long next = Math.max(Json.number(body, "index", -1), response.index());
            for (JsonNode e : items) {
                next = Math.max(next, Json.number(e, "index", -1));
            }
            if (next > index) {
                index = next;
            }
        }
        return 0;
    }

    /** Follow mode prints as events arrive, so its columns have fixed minimum widths. */
    static String line(String index, String at, String kind, String entity, String message) {
        return String.format("%-7s  %-24s  %-22s  %s  %s", Table.cell(index), Table.cell(at), Table.cell(kind),
                Table.cell(entity), Table.cell(message)).stripTrailing();
    }

    static Table table(JsonNode body) {
        Table t = new Table("INDEX", "AT", "KIND", "ENTITY", "MESSAGE");
        for (JsonNode e : Json.items(body)) {
            t.row(Json.text(e, "index"), Json.text(e, "at"), Json.text(e, "kind"), Json.text(e, "entity"),
                    Json.text(e, "message"));
        }
        return t;
    }
}
