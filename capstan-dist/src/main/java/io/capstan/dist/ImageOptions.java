package io.capstan.dist;

import io.capstan.agent.image.ImagePruner;
import io.capstan.cli.Converters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The image options of {@code capstan agent} and {@code capstan dev}: registry credentials and the image policy. */
final class ImageOptions {

    @Option(names = "--registry-credentials", paramLabel = "FILE",
            description = "YAML file of registry: {username: U, password: P} or registry: {token: T}, used to pull images.")
    Path registryCredentials;

    @Option(names = "--image-keep-unused", paramLabel = "DURATION", defaultValue = "24h",
            converter = Converters.Timeout.class,
            description = "Remove an image no activation uses after this long (default: ${DEFAULT-VALUE}).")
    Duration keepUnused;

    @Option(names = "--image-cache-size", paramLabel = "MiB", defaultValue = "10240",
            description = "While all images hold more than this, remove unused ones, least recently used first"
                    + " (default: ${DEFAULT-VALUE} MiB).")
    long cacheMiB;

    ImagePruner.Policy policy(CommandSpec spec) {
        if (cacheMiB < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--image-cache-size: must not be negative");
        }
        return new ImagePruner.Policy(keepUnused, cacheMiB * 1024 * 1024);
    }

    /** The credentials file, checked now so a typo is a usage error rather than a failed pull later. */
    Path credentials(CommandSpec spec) {
        if (registryCredentials != null && !Files.isReadable(registryCredentials)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--registry-credentials: cannot read "
                    + registryCredentials);
        }
        return registryCredentials == null ? null : registryCredentials.toAbsolutePath();
    }
}
