package io.capstan.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Secrets given by file (a token, the cluster secret): read once, trimmed; a missing or empty file is a usage error. */
final class SecretFiles {

    private SecretFiles() {
    }

    /** The secret in {@code file}, or null when no file was given. */
    static String read(CommandSpec spec, String option, Path file) {
        if (file == null) {
            return null;
        }
        try {
            String secret = Files.readString(file).strip();
            if (secret.isEmpty()) {
                throw new ParameterException(spec.commandLine(), option + ": " + file + " is empty; write the secret into it");
            }
            return secret;
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), option + ": cannot read " + file + " (" + e.getMessage() + ")");
        }
    }
}
