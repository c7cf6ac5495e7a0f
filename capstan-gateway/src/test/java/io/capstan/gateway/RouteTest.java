package io.capstan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RouteTest {

    @Test
    void theGatewaysOwnParametersAreTakenOutAndTheRestPassesAsWritten() {
        Route r = Route.parse("/Shop/Cart/api/items%2F1?a=1&PartitionKey=42&partitionkind=int64range&ListenerName=web"
                + "&TargetReplicaSelector=RandomSecondaryReplica&Timeout=3&b=x%20y");
        assertThat(r.service().shortName()).isEqualTo("Shop/Cart");
        assertThat(r.backendUri()).isEqualTo("/api/items%2F1?a=1&b=x%20y");
        assertThat(r.partitionKey()).isEqualTo("42");
        assertThat(r.partitionKind()).isEqualTo("Int64Range");
        assertThat(r.listenerName()).isEqualTo("web");
        assertThat(r.selector()).isEqualTo(Route.ReplicaSelector.RandomSecondaryReplica);
        assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(Route.parse("/Shop/Cart").backendUri()).isEqualTo("/");
        assertThat(Route.parse("/Shop/Cart?Timeout=500ms").timeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void badRoutesNameTheParameterAndTheFix() {
        assertThatThrownBy(() -> Route.parse("/Shop")).hasMessageContaining("/App/Service");
        assertThatThrownBy(() -> Route.parse("/Shop/Cart/?TargetReplicaSelector=Any"))
                .hasMessageContaining("TargetReplicaSelector: 'Any' is not PrimaryReplica, RandomSecondaryReplica or RandomInstance");
        assertThatThrownBy(() -> Route.parse("/Shop/Cart/?PartitionKind=Hash")).hasMessageContaining("PartitionKind");
        assertThatThrownBy(() -> Route.parse("/Shop/Cart/?Timeout=-1")).hasMessageContaining("Timeout");
    }
}
