package io.capstan.server.upgrade;

import io.capstan.model.manifest.ServicePackageManifest;

/**
 * What an upgrade does to an activated service package, judged from the two versions' manifests with their
 * parameters substituted, as the agent judges it (the agent also compares the folders' content, which can only
 * turn Unchanged into Refresh or Restart): an identical package is left alone, one whose config or data packages
 * alone changed gets the new files in place (and a signal or restart as each code package asks), anything else
 * restarts.
 */
public enum ServicePackageChange {
    Unchanged, Refresh, Restart;

    /** The change from {@code from} to {@code to}, with the first difference named. */
    public static Judged between(ServicePackageManifest from, ServicePackageManifest to) {
        if (!from.codePackages().equals(to.codePackages())) {
            return new Judged(Restart, "code packages changed");
        }
        if (!from.endpoints().equals(to.endpoints()) || !from.serviceTypes().equals(to.serviceTypes())) {
            return new Judged(Restart, "endpoints or service types changed");
        }
        if (!from.configPackages().equals(to.configPackages()) || !from.dataPackages().equals(to.dataPackages())) {
            boolean sameNames = from.configPackages().stream().map(p -> p.name()).toList()
                    .equals(to.configPackages().stream().map(p -> p.name()).toList())
                    && from.dataPackages().stream().map(p -> p.name()).toList()
                    .equals(to.dataPackages().stream().map(p -> p.name()).toList());
            return sameNames ? new Judged(Refresh, "config or data packages changed")
                    : new Judged(Restart, "config or data packages added or removed");
        }
        return new Judged(Unchanged, "same code, endpoints, config and data");
    }

    /** A change and why. */
    public record Judged(ServicePackageChange change, String why) {
    }
}
