package io.capstan.agent;

import io.capstan.model.manifest.FilesPackageManifest;
import io.capstan.model.manifest.ServicePackageManifest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a new assignment entry for a running activation (same key, another application version or package) takes,
 * decided by content, not by the application package's digest: nothing but bookkeeping, new config or data files, or a
 * restart of the whole activation.
 */
sealed interface ActivationChange {

    /** Code packages, endpoints, service types, config and data packages all as they are: record the new version. */
    record InPlace() implements ActivationChange { }

    /** Only config and/or data packages changed (version or content): swap their files, then tell each code package. */
    record Refresh(Set<String> configPackages, Set<String> dataPackages) implements ActivationChange {
        public Refresh {
            configPackages = Set.copyOf(configPackages);
            dataPackages = Set.copyOf(dataPackages);
        }

        /** The changed packages of one kind. */
        Set<String> of(FilesPackageManifest.Kind kind) {
            return kind == FilesPackageManifest.Kind.CONFIG ? configPackages : dataPackages;
        }
    }

    /** Anything else: a graceful stop, then a start with the new package. */
    record Restart(String reason) implements ActivationChange { }

    /**
     * A restart the manifests alone already call for (a code package's resolved manifest, the endpoints, the service
     * types, or which config and data packages there are changed), or empty when only the content can tell.
     */
    static Optional<Restart> fromManifests(ServicePackageManifest from, ServicePackageManifest to) {
        if (!from.codePackages().equals(to.codePackages())) {
            return Optional.of(new Restart("its code packages' manifests changed"));
        }
        if (!from.endpoints().equals(to.endpoints())) {
            return Optional.of(new Restart("its endpoints changed"));
        }
        if (!from.serviceTypes().equals(to.serviceTypes())) {
            return Optional.of(new Restart("its service types changed"));
        }
        for (FilesPackageManifest.Kind kind : FilesPackageManifest.Kind.values()) {
            if (!names(from.filesPackages(kind)).equals(names(to.filesPackages(kind)))) {
                // A package added or removed changes the variables a process got at its start.
                return Optional.of(new Restart("its set of " + kind.word() + " packages changed"));
            }
        }
        return Optional.empty();
    }

    /** The change from {@code from} with {@code fromContents} (null: unknown, recorded by an older agent) to {@code to}. */
    static ActivationChange between(ServicePackageManifest from, PackageContents fromContents, ServicePackageManifest to,
                                    PackageContents toContents) {
        Optional<Restart> restart = fromManifests(from, to);
        if (restart.isPresent()) {
            return restart.get();
        }
        if (fromContents == null) {
            return new Restart("the content of the running copy is not recorded");
        }
        if (!fromContents.codePackages().equals(toContents.codePackages())) {
            return new Restart("the content of its code packages changed");
        }
        Set<String> config = changed(from, fromContents, to, toContents, FilesPackageManifest.Kind.CONFIG);
        Set<String> data = changed(from, fromContents, to, toContents, FilesPackageManifest.Kind.DATA);
        return config.isEmpty() && data.isEmpty() ? new InPlace() : new Refresh(config, data);
    }

    private static Set<String> changed(ServicePackageManifest from, PackageContents fromContents, ServicePackageManifest to,
                                       PackageContents toContents, FilesPackageManifest.Kind kind) {
        Set<String> out = new LinkedHashSet<>();
        for (FilesPackageManifest next : to.filesPackages(kind)) {
            FilesPackageManifest now = from.filesPackages(kind).stream().filter(f -> f.name().equals(next.name())).findFirst()
                    .orElseThrow();
            if (!Objects.equals(now.version(), next.version())
                    || !Objects.equals(fromContents.files(kind).get(next.name()), toContents.files(kind).get(next.name()))) {
                out.add(next.name());
            }
        }
        return out;
    }

    private static Set<String> names(List<FilesPackageManifest> packages) {
        Set<String> names = new java.util.TreeSet<>();
        packages.forEach(p -> names.add(p.name()));
        return names;
    }
}
