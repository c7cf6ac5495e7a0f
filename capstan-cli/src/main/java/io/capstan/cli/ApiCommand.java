package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Base of every client command: the global options, the API client for {@code --server}, and printing
 * (results on stdout; progress and notes on stderr so {@code -o json} output stays clean).
 */
abstract class ApiCommand implements Callable<Integer> {

    @Mixin
    GlobalOptions global;

    @picocli.CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    private ApiClient api;

    CliContext context() {
        Object root = spec.root().userObject();
        return root instanceof CapstanCli cli ? cli.context() : CliContext.system();
    }

    ApiClient api() {
        if (api == null) {
            Transport transport = context().transports().apply(global.server());
            api = new ApiClient(global.token() == null ? transport : transport.withToken(global.token()));
        }
        return api;
    }

    boolean json() {
        return global.output() == Output.json;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** The body exactly as the server sent it, with a final newline. */
    void printBody(ApiResponse response) {
        String body = response.body() == null ? "" : response.body();
        out().print(body);
        if (!body.endsWith("\n")) {
            out().println();
        }
        out().flush();
    }

    /** {@code -o json}: the body; otherwise what {@code table} renders from it. */
    void show(ApiResponse response, Function<JsonNode, String> table) {
        if (json()) {
            printBody(response);
        } else {
            out().print(table.apply(response.json()));
            out().flush();
        }
    }

    /** A list answer: the body, or a table, or (table mode, no items) a note on stderr. */
    void showList(ApiResponse response, String none, Function<JsonNode, Table> table) {
        if (json()) {
            printBody(response);
            return;
        }
        Table t = table.apply(response.json());
        if (t.isEmpty()) {
            info(none);
        } else {
            out().print(t.render());
            out().flush();
        }
    }

    /** A result line for people (table mode only: with -o json the body is the result). */
    void result(String line) {
        out().println(line);
        out().flush();
    }

    void info(String line) {
        err().println(line);
        err().flush();
    }

    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    static ObjectNode object() {
        return ApiClient.JSON.createObjectNode();
    }
}
