package io.capstan.model.upgrade;

import java.time.Instant;

/** One upgrade domain of an upgrade walk: its state, when it started and finished, and how it ended. */
public record UpgradeDomainProgress(String name, DomainState state, Instant startedAt, Instant completedAt, String result) {

    public UpgradeDomainProgress {
        result = result == null ? "" : result;
    }

    public static UpgradeDomainProgress pending(String name) {
        return new UpgradeDomainProgress(name, DomainState.Pending, null, null, "");
    }

    public UpgradeDomainProgress started(Instant at) {
        return new UpgradeDomainProgress(name, DomainState.InProgress, at, null, "");
    }

    public UpgradeDomainProgress completed(Instant at, String why) {
        return new UpgradeDomainProgress(name, DomainState.Completed, startedAt, at, why);
    }

    public UpgradeDomainProgress rollingBack(Instant at, String why) {
        return new UpgradeDomainProgress(name, DomainState.RollingBack, startedAt == null ? at : startedAt, null, why);
    }

    public UpgradeDomainProgress rolledBack(Instant at) {
        return new UpgradeDomainProgress(name, DomainState.RolledBack, startedAt, at, result);
    }
}
