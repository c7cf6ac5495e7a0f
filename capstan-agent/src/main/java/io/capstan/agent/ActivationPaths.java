package io.capstan.agent;

import io.capstan.model.manifest.FilesPackageManifest;
import java.nio.file.Path;

/**
 * The layout of one activation directory: its own copy of the service package's code packages
 * ({@code <ServicePackage>/<CodePackage>/}), its config and data packages ({@code config/<Name>}, {@code data/<Name>}:
 * see {@link FilesPackageFolders}), {@code work/} (with replicas.json), {@code log/} and {@code activation.json}.
 */
record ActivationPaths(Path root, String servicePackage) {

    static final String RECORD = "activation.json";

    Path content() {
        return root.resolve(servicePackage);
    }

    Path codePackage(String name) {
        return content().resolve(name);
    }

    /** {@code config/} or {@code data/}: one link per package, and the versions they point at. */
    Path files(FilesPackageManifest.Kind kind) {
        return root.resolve(kind.word());
    }

    /** The path a code package is given for a config or data package ({@code CAPSTAN_CONFIG_<NAME>_DIR}). */
    Path filesPackage(FilesPackageManifest.Kind kind, String name) {
        return files(kind).resolve(name);
    }

    Path work() {
        return root.resolve("work");
    }

    Path log() {
        return root.resolve("log");
    }

    Path replicasFile() {
        return work().resolve("replicas.json");
    }

    /** The OCI bundle (config.json) of a container code package's runs. */
    Path bundle(String codePackage) {
        return root.resolve("bundles").resolve(codePackage);
    }

    Path record() {
        return root.resolve(RECORD);
    }

    Path stdout(String codePackage) {
        return log().resolve(codePackage + ".out");
    }

    Path stderr(String codePackage) {
        return log().resolve(codePackage + ".err");
    }
}
