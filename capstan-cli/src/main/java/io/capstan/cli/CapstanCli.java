package io.capstan.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code capstan} command. {@link #commandLine()} builds it with the client subcommands; the
 * distribution adds {@code dev}, {@code server} and {@code agent} with {@code addSubcommand} and runs
 * {@code execute(args)}. Errors print as {@code error: <message>}: exit 1 for failures (API errors,
 * unreachable server, timeouts), exit 2 for usage errors.
 */
@Command(name = "capstan", mixinStandardHelpOptions = true, versionProvider = CapstanCli.Version.class,
        description = "Capstan: a microservice orchestrator with the Service Fabric application model.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            ClusterCommands.class,
            ApptypeCommands.class,
            AppCommands.class,
            UpgradeCommands.class,
            ServiceCommands.class,
            NodeCommands.class,
            ImageCommands.class,
            ReplicaCommands.class,
            DeployedCommands.class,
            EventsCommand.class,
            EndpointsCommand.class,
            ResolveCommand.class,
            HealthCommands.class,
            AclCommands.class,
            AuditCommand.class,
        })
public final class CapstanCli implements Callable<Integer> {

    public static final String DEFAULT_SERVER = "http://127.0.0.1:19080";

    private final CliContext context;

    @Spec
    CommandSpec spec;

    public CapstanCli() {
        this(CliContext.system());
    }

    public CapstanCli(CliContext context) {
        this.context = context;
    }

    public CliContext context() {
        return context;
    }

    /** The configured {@code capstan} command line talking HTTP; add more subcommands with {@code addSubcommand}. */
    public static CommandLine commandLine() {
        return commandLine(CliContext.system());
    }

    /** The same with another context (tests: a fake transport and clock). */
    public static CommandLine commandLine(CliContext context) {
        CommandLine cl = new CommandLine(new CapstanCli(context));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler(new UsageErrorHandler());
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** {@code capstan} alone: the usage, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLine.ExitCode.USAGE;
    }

    /** Prints {@code error: <message>} (and problems) without a stack trace for expected failures; exit 1. */
    static final class ErrorHandler implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
            PrintWriter err = cmd.getErr();
            printError(err, ex);
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }
    }

    static void printError(PrintWriter err, Throwable ex) {
        if (ex instanceof CliException e) {
            err.println("error: " + e.getMessage());
            for (String problem : e.problems()) {
                err.println("  " + problem);
            }
        } else if (ex instanceof IllegalArgumentException || ex instanceof IOException
                || ex instanceof UncheckedIOException) {
            err.println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
        } else {
            err.println("error: internal error: " + ex);
            ex.printStackTrace(err);
        }
    }

    /** Prints {@code error: <message>} and where to find the usage; exit 2. */
    static final class UsageErrorHandler implements IParameterExceptionHandler {
        @Override
        public int handleParseException(ParameterException ex, String[] args) {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println("error: " + ex.getMessage());
            UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("(see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        }
    }

    /** The version from the build ({@code version.properties}, filtered by Maven). */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"capstan " + version()};
        }
    }

    public static String version() {
        try (InputStream in = CapstanCli.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
