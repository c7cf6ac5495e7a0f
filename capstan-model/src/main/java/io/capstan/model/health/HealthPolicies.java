package io.capstan.model.health;

/** Validation shared by the health policy records. */
final class HealthPolicies {

    private HealthPolicies() {
    }

    static void checkPercent(String field, int value) {
        if (value < 0 || value > 100) {
            throw new IllegalArgumentException(field + " must be a percentage between 0 and 100, was " + value);
        }
    }
}
