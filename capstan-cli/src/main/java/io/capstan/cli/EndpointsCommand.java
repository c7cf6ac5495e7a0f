package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.model.ServiceName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "endpoints", description = "The live endpoints of a service (Ready replicas only).")
final class EndpointsCommand extends ApiCommand {

    @Parameters(index = "0", paramLabel = "APP/SVC", converter = Converters.Service.class)
    ServiceName name;

    @Override
    public Integer call() {
        showList(api().get(ApiClient.servicePath(name, "endpoints")),
                "no ready endpoints for " + name.uri(), EndpointsCommand::table);
        return 0;
    }

    static Table table(JsonNode body) {
        Table t = new Table("PARTITION", "REPLICA ID", "ROLE", "NODE", "ENDPOINT", "ADDRESS");
        for (JsonNode e : Json.items(body)) {
            t.row(Json.partitionOf(e), Json.text(e, "replicaId"),
                    Json.text(e, "role"), Json.text(e, "node"), Json.text(e, "endpoint"), Json.text(e, "address"));
        }
        return t;
    }
}
