package io.capstan.cli;

import java.net.URI;
import picocli.CommandLine.Option;

/** The options every client command takes (a picocli mixin): which server to talk to and how to print. */
public final class GlobalOptions {

    @Option(names = "--server", paramLabel = "URL", converter = Converters.ServerUrl.class,
            defaultValue = "${env:CAPSTAN_SERVER:-" + CapstanCli.DEFAULT_SERVER + "}",
            description = "Capstan server to talk to (env CAPSTAN_SERVER; default: ${DEFAULT-VALUE}).")
    URI server;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "Output: ${COMPLETION-CANDIDATES} (json prints exactly the API's JSON body; default: ${DEFAULT-VALUE}).")
    Output output;

    @Option(names = "--token", paramLabel = "SECRET", defaultValue = "${env:CAPSTAN_TOKEN}",
            description = "ACL token for a cluster run with --acl, sent as X-Capstan-Token (env CAPSTAN_TOKEN, which"
                    + " keeps it out of the process list).")
    String token;

    public URI server() {
        return server;
    }

    /** The token's secret, or null when none was given. */
    public String token() {
        return token == null || token.isBlank() ? null : token.strip();
    }

    public Output output() {
        return output;
    }
}
