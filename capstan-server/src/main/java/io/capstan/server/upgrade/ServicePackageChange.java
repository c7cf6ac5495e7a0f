package io.capstan.server.upgrade;

import io.capstan.model.manifest.ServicePackageManifest;
import java.util.Objects;

/**
 * What an upgrade does to an activated service package, judged from the two versions' manifests with their
 * parameters substituted (the agent judges again by content when it gets the new assignment): an identical package
 * is left alone, and anything else restarts it.
 */
public enum ServicePackageChange {
    Unchanged, Restart;

    /** The change from {@code from} to {@code to}, with the first difference named. */
    public static Judged between(ServicePackageManifest from, ServicePackageManifest to) {
        if (from.equals(to)) {
            return new Judged(Unchanged, "same package " + to.name() + " " + to.version());
        }
        String why = !Objects.equals(from.version(), to.version()) ? "version " + from.version() + " -> " + to.version()
                : !from.codePackages().equals(to.codePackages()) ? "code packages changed"
                : !from.endpoints().equals(to.endpoints()) ? "endpoints changed" : "manifest changed";
        return new Judged(Restart, why);
    }

    /** A change and why. */
    public record Judged(ServicePackageChange change, String why) {
    }
}
