package io.capstan.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --wait} and {@code --timeout}, shared by every command that changes the cluster and can wait for it. */
final class WaitOptions {

    @Option(names = "--wait", description = "Wait until the change has taken effect on the nodes (progress on stderr).")
    boolean wait;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", converter = Converters.Timeout.class,
            description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
    Duration timeout;
}
