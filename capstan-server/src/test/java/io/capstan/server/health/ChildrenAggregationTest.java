package io.capstan.server.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChildrenAggregationTest {

    private static List<ChildrenAggregation.Child> children(HealthState... states) {
        List<ChildrenAggregation.Child> out = new ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            out.add(new ChildrenAggregation.Child(new HealthEntity.Node("N" + i), states[i], List.of()));
        }
        return out;
    }

    @ParameterizedTest(name = "{1}% of {0} tolerates {2}")
    @CsvSource({"3,0,0", "3,10,1", "3,33,1", "3,34,2", "3,50,2", "3,100,3", "10,10,1", "11,10,2", "200,1,2", "0,50,0"})
    void theToleratedCountRoundsUpAsServiceFabricDoes(int total, int percent, int tolerated) {
        assertThat(ChildrenAggregation.maxUnhealthy(total, percent)).isEqualTo(tolerated);
    }

    @Test
    void errorsOverTheThresholdAreAnErrorWithinItAWarning() {
        var strict = ChildrenAggregation.evaluate("Replicas", "Replica",
                children(HealthState.Ok, HealthState.Error, HealthState.Ok), 0, false);
        assertThat(strict.state()).isEqualTo(HealthState.Error);
        assertThat(strict.evaluation().description()).isEqualTo("Replicas: 1 of 3 (33%) unhealthy, max allowed 0%");
        assertThat(strict.evaluation().unhealthyEvaluations()).extracting(HealthEvaluation::entity).containsExactly("node:N1");
        assertThat(strict.summary()).isEqualTo(new ChildrenHealth("Replicas", 3, 2, 0, 1));

        var tolerant = ChildrenAggregation.evaluate("Replicas", "Replica",
                children(HealthState.Ok, HealthState.Error, HealthState.Warning), 50, false);
        assertThat(tolerant.state()).isEqualTo(HealthState.Warning);
        assertThat(tolerant.evaluation().description()).isEqualTo("Replicas: 1 of 3 (33%) unhealthy, max allowed 50%");
        assertThat(tolerant.evaluation().unhealthyEvaluations()).hasSize(2);
    }

    @Test
    void warningsAloneAreAWarningUnlessCountedAsErrors() {
        var warnings = ChildrenAggregation.evaluate("Nodes", "Node", children(HealthState.Warning, HealthState.Ok), 0, false);
        assertThat(warnings.state()).isEqualTo(HealthState.Warning);
        assertThat(warnings.evaluation().description()).isEqualTo("Nodes: 1 of 2 in Warning");
        var strict = ChildrenAggregation.evaluate("Nodes", "Node", children(HealthState.Warning, HealthState.Ok), 0, true);
        assertThat(strict.state()).isEqualTo(HealthState.Error);
        assertThat(strict.evaluation().description())
                .isEqualTo("Nodes: 1 of 2 (50%) unhealthy (Warning counted as Error), max allowed 0%");
    }

    @Test
    void allOkOrNoChildrenIsOkWithoutAnEvaluation() {
        assertThat(ChildrenAggregation.evaluate("Nodes", "Node", children(HealthState.Ok), 0, true).evaluation()).isNull();
        var none = ChildrenAggregation.evaluate("Services", "Service", List.of(), 0, false);
        assertThat(none.state()).isEqualTo(HealthState.Ok);
        assertThat(none.summary()).isEqualTo(new ChildrenHealth("Services", 0, 0, 0, 0));
    }

    @Test
    void aTinyShareIsNotShownAsZeroPercent() {
        assertThat(ChildrenAggregation.percent(1, 300)).isEqualTo("<1%");
        assertThat(ChildrenAggregation.percent(2, 3)).isEqualTo("67%");
    }
}
