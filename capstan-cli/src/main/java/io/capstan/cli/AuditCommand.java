package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "audit", description = "The audit trail: every accepted write, who made it, what it was and when (role admin).")
final class AuditCommand extends ApiCommand {

    @Option(names = "--actor", paramLabel = "A", description = "Only writes by A: a token's name, or node:<name> for an agent.")
    String actor;

    @Option(names = "--since", paramLabel = "T", description = "Only writes at or after T: an instant (2026-12-04T10:00:00Z)"
            + " or a duration back from now (10m, 2h).")
    String since;

    @Option(names = "--until", paramLabel = "T", description = "Only writes before T (as --since).")
    String until;

    @Override
    public Integer call() {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("actor", actor);
        q.put("since", since);
        q.put("until", until);
        showList(api().get(ApiClient.withQuery("/v1/audit", q)), "no writes recorded", body -> {
            Table t = new Table("INDEX", "AT", "ACTOR", "COMMAND", "CALL");
            for (JsonNode r : Json.items(body)) {
                t.row(Json.text(r, "index"), Json.text(r, "at"), Json.text(r, "actor"), Json.text(r, "command"),
                        Json.text(r, "method") + " " + Json.text(r, "path"));
            }
            return t;
        });
        return 0;
    }
}
