package io.capstan.model.health;

/** Service Fabric's health states, ordered from best to worst so {@link #worse} is a comparison. */
public enum HealthState {
    Ok, Warning, Error;

    /** The worse of two states. */
    public HealthState worse(HealthState other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
