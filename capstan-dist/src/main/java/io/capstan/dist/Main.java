package io.capstan.dist;

import io.capstan.cli.CapstanCli;
import picocli.CommandLine;

/** The single {@code capstan} binary: the CLI plus the dev cluster, server, agent and gateway roles. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        CommandLine cli = CapstanCli.commandLine();
        cli.addSubcommand("dev", new DevCommand());
        cli.addSubcommand("server", new ServerCommand());
        cli.addSubcommand("agent", new AgentCommand());
        cli.addSubcommand("gateway", new GatewayCommand());
        System.exit(cli.execute(args));
    }
}
