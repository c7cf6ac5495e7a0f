package io.capstan.model.upgrade;

/** What a monitored upgrade does when health fails or a timeout passes: roll back, or stop for an operator. */
public enum FailureAction {
    Rollback, Manual
}
