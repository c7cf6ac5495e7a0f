package io.capstan.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Application package folders for server tests: a manifest whose code packages all run {@code Web/run.sh}. */
final class TestPackages {

    private TestPackages() {
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
