package io.capstan.model.cluster;

import java.time.Instant;
import io.capstan.model.upgrade.ApplicationUpgrade;
import java.util.Map;

/**
 * An application: an instance of an application type version, with its parameter values, and its latest
 * upgrade (null when it was never upgraded). While an upgrade is active, {@code typeVersion} and
 * {@code parameters} are still those it started from: nodes of domains already walked run the target.
 */
public record ApplicationRecord(
        String name, String typeName, String typeVersion, Map<String, String> parameters, Instant createdAt,
        ApplicationUpgrade upgrade) {

    public ApplicationRecord {
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }

    /** An application never upgraded. */
    public ApplicationRecord(String name, String typeName, String typeVersion, Map<String, String> parameters,
                             Instant createdAt) {
        this(name, typeName, typeVersion, parameters, createdAt, null);
    }

    /** The version and parameters nodes of {@code upgradeDomain} run. */
    public ApplicationVersion versionIn(String upgradeDomain) {
        return upgrade != null && upgrade.targetRunsIn(upgradeDomain)
                ? new ApplicationVersion(upgrade.toVersion(), upgrade.toParameters())
                : new ApplicationVersion(typeVersion, parameters);
    }

    /** True while an upgrade holds this application. */
    public boolean upgrading() {
        return upgrade != null && upgrade.state().isActive();
    }

    public ApplicationRecord withUpgrade(ApplicationUpgrade next) {
        return new ApplicationRecord(name, typeName, typeVersion, parameters, createdAt, next);
    }

    /** This application on {@code version}: where a completed upgrade leaves it. */
    public ApplicationRecord on(ApplicationVersion version, ApplicationUpgrade finished) {
        return new ApplicationRecord(name, typeName, version.typeVersion(), version.parameters(), createdAt, finished);
    }

    public String uri() {
        return io.capstan.model.ServiceName.SCHEME + name;
    }
}
