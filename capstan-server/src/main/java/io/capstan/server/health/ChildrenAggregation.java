package io.capstan.server.health;

import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthState;
import java.util.ArrayList;
import java.util.List;

/**
 * Service Fabric's evaluation of a set of children against a max-percent-unhealthy threshold: Error when
 * more children are unhealthy than the threshold tolerates, Warning when any child is not Ok, Ok otherwise.
 */
final class ChildrenAggregation {

    /** A child's aggregated state and what explains it. */
    record Child(HealthEntity entity, HealthState state, List<HealthEvaluation> unhealthyEvaluations) {
    }

    /** The set's state, the evaluation explaining it (null when Ok) and its counts per state. */
    record Result(HealthState state, HealthEvaluation evaluation, ChildrenHealth summary) {
    }

    private ChildrenAggregation() {
    }

    /**
     * How many unhealthy children {@code maxPercent} tolerates out of {@code total}. Rounded up, as Service
     * Fabric does ({@code errors <= ceil(total * maxPercent / 100)}), so that a small set tolerates one
     * failure as soon as the percent allows any: 1 of 3 is within 10%.
     */
    static int maxUnhealthy(int total, int maxPercent) {
        return (total * maxPercent + 99) / 100;
    }

    /**
     * @param kind     the set's name, e.g. {@code Replicas}
     * @param childKind one child's kind, e.g. {@code Replica}
     */
    static Result evaluate(String kind, String childKind, List<Child> children, int maxPercent, boolean warningAsError) {
        int ok = 0;
        int warning = 0;
        int error = 0;
        int counted = 0;
        for (Child c : children) {
            switch (c.state()) {
                case Ok -> ok++;
                case Warning -> warning++;
                case Error -> error++;
            }
            if (countsAsError(c.state(), warningAsError)) {
                counted++;
            }
        }
        int total = children.size();
        HealthState state = counted > maxUnhealthy(total, maxPercent) ? HealthState.Error
                : ok < total ? HealthState.Warning : HealthState.Ok;
        ChildrenHealth summary = new ChildrenHealth(kind, total, ok, warning, error);
        if (state == HealthState.Ok) {
            return new Result(state, null, summary);
        }
        List<HealthEvaluation> relevant = new ArrayList<>();
        for (Child c : children) {
            boolean include = state == HealthState.Error ? countsAsError(c.state(), warningAsError) : c.state() != HealthState.Ok;
            if (include) {
                relevant.add(new HealthEvaluation(childKind, c.state(), c.entity().text(), c.entity().text(),
                        c.unhealthyEvaluations()));
            }
        }
        return new Result(state, new HealthEvaluation(kind, state,
                describe(kind, total, counted, warning, maxPercent, warningAsError), null, relevant), summary);
    }

    static boolean countsAsError(HealthState state, boolean warningAsError) {
        return state == HealthState.Error || (warningAsError && state == HealthState.Warning);
    }

    /** {@code Replicas: 1 of 3 (33%) unhealthy, max allowed 0%}. */
    private static String describe(String kind, int total, int unhealthy, int warning, int maxPercent, boolean warningAsError) {
        if (unhealthy == 0) {
            return kind + ": " + warning + " of " + total + " in Warning";
        }
        return kind + ": " + unhealthy + " of " + total + " (" + percent(unhealthy, total) + ") unhealthy"
                + (warningAsError && warning > 0 ? " (Warning counted as Error)" : "")
                + ", max allowed " + maxPercent + "%";
    }

    /** Rounded to the nearest percent, but never shown as 0% when some are unhealthy. */
    static String percent(int part, int total) {
        long p = Math.round(part * 100.0 / total);
        return p == 0 && part > 0 ? "<1%" : p + "%";
    }
}
