package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.model.ServiceName;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "resolve", description = "Where a service is reached: its partition(s) and the endpoints of their Ready replicas"
        + " (the Primary of a stateful service unless --secondaries).")
final class ResolveCommand extends ApiCommand {

    @Parameters(index = "0", paramLabel = "APP/SVC", converter = Converters.Service.class)
    ServiceName name;

    @Option(names = "--partition-key", paramLabel = "K", description = "Only the partition of this key (an Int64 or a partition name).")
    String partitionKey;

    @Option(names = "--secondaries", description = "Include the ActiveSecondary replicas of a stateful service.")
    boolean secondaries;

    @Override
    public Integer call() {
        StringBuilder query = new StringBuilder();
        if (partitionKey != null) {
            query.append("partitionKey=").append(URLEncoder.encode(partitionKey, StandardCharsets.UTF_8));
        }
        if (secondaries) {
            query.append(query.isEmpty() ? "" : "&").append("secondaries=true");
        }
        String path = ApiClient.servicePath(name, "resolve") + (query.isEmpty() ? "" : "?" + query);
        showList(api().get(path), "no ready endpoints for " + name.uri(), ResolveCommand::table);
        return 0;
    }

    static Table table(JsonNode body) {
        Table t = new Table("PARTITION", "REPLICA ID", "ROLE", "NODE", "ENDPOINT", "ADDRESS");
        for (JsonNode p : body.path("partitions")) {
            String partition = Json.partitionLabel(p.get("key"));
            for (JsonNode r : p.path("replicas")) {
                r.path("endpoints").fields().forEachRemaining(e -> t.row(partition, Json.text(r, "replicaId"),
                        Json.text(r, "role"), Json.text(r, "node"), e.getKey(), e.getValue().asText()));
            }
        }
        return t;
    }
}
