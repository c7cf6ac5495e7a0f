package io.capstan.agent;

import java.nio.file.Path;

/**
 * The layout of one activation directory: its own copy of the service package ({@code <ServicePackage>/<CodePackage>/}),
 * {@code work/} (with replicas.json), {@code log/} and {@code activation.json}.
 */
record ActivationPaths(Path root, String servicePackage) {

    static final String RECORD = "activation.json";

    Path content() {
        return root.resolve(servicePackage);
    }

    Path codePackage(String name) {
        return content().resolve(name);
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
