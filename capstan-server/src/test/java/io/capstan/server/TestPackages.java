package io.capstan.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Application package folders for server tests: a manifest whose code packages all run {@code Web/run.sh}. */
final class TestPackages {

    private TestPackages() {
    }

    /** A manifest of one stateless service type WebType in WebPackage, its code package Web asking for {@code cpu}. */
    static String statelessManifest(String applicationType, double cpu) {
        return """
                applicationType: %s
                version: 1.0.0
                servicePackages:
                  - name: WebPackage
                    version: 1.0.0
                    serviceTypes:
                      - {name: WebType, kind: stateless, codePackage: Web}
                    codePackages:
                      - {name: Web, version: 1.0.0, process: {command: ./run.sh}, resources: {cpu: %s, memoryMiB: 16}}
                """.formatted(applicationType, cpu);
    }

    /** Writes {@code manifest} and a WebPackage/Web/run.sh that only waits, under {@code dir/pkg}; returns the folder. */
    static Path webPackage(Path dir, String manifest) throws IOException {
        Path pkg = dir.resolve("pkg");
        Files.createDirectories(pkg.resolve("WebPackage/Web"));
        Files.writeString(pkg.resolve("capstan-app.yaml"), manifest);
        Path run = pkg.resolve("WebPackage/Web/run.sh");
        Files.writeString(run, "#!/bin/sh\nexec sleep 3600\n");
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        return pkg;
    }
}
