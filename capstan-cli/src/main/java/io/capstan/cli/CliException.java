package io.capstan.cli;

import java.util.List;

/**
 * An expected failure the CLI reports as {@code error: <message>} (then each problem on its own line)
 * with exit code 1 and no stack trace: the server unreachable, a wait that timed out, a bad package.
 * Subcommands added by other modules may throw it too.
 */
public class CliException extends RuntimeException {

    private final List<String> problems;

    public CliException(String message) {
        this(message, List.of());
    }

    public CliException(String message, List<String> problems) {
        super(message);
        this.problems = List.copyOf(problems);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
        this.problems = List.of();
    }

    /** Details printed one per line under the message; empty for most errors. */
    public List<String> problems() {
        return problems;
    }
}
