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

    public URI server() {
        return server;
    }

    public Output output() {
        return output;
    }
}
