package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorRenderingTest {

    @Test
    void anApiErrorBodyBecomesCodeMessageAndProblems() {
        ApiException e = ApiClient.toException(400, """
                {"error":{"code":"INVALID_MANIFEST","message":"the application package is not valid","problems":[
                  "plain text problem",
                  {"file":"capstan-app.yaml","line":14,"column":9,"field":"servicePackages[0].codePackages[0].process.command","message":"is missing"}]}}""");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("INVALID_MANIFEST");
        assertThat(e.getMessage()).isEqualTo("the application package is not valid");
        assertThat(e.problems()).containsExactly("plain text problem",
                "capstan-app.yaml:14:9: servicePackages[0].codePackages[0].process.command: is missing");
    }

    @Test
    void aBodyThatIsNotAnApiErrorStillSaysWhatHappened() {
        ApiException html = ApiClient.toException(502, "<html>Bad gateway</html>");
        assertThat(html.code()).isEqualTo("HTTP_502");
        assertThat(html.getMessage()).isEqualTo("the server answered HTTP 502: <html>Bad gateway</html>");
        assertThat(ApiClient.toException(500, "").getMessage()).isEqualTo("the server answered HTTP 500");
        assertThat(ApiClient.toException(404, "{\"error\":{\"code\":\"NOT_FOUND\"}}").getMessage())
                .isEqualTo("NOT_FOUND (HTTP 404)");
    }

    @Test
    void theCliPrintsTheMessageThenEachProblemAndExitsOne() {
        Cli cli = new Cli();
        cli.transport.on("DELETE", "/v1/apptypes/MyAppType/1.0.0", new Transport.Response(409, 8,
                "{\"error\":{\"code\":\"IN_USE\",\"message\":\"MyAppType 1.0.0 is used by applications App1, App2\","
                        + "\"problems\":[\"App1\",\"App2\"]}}"));
        Cli.Result r = cli.run("apptype", "unregister", "MyAppType", "1.0.0");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("""
                error: MyAppType 1.0.0 is used by applications App1, App2
                  App1
                  App2
                """);
    }

    @Test
    void anErrorIsAnErrorWithJsonOutputToo() {
        Cli cli = new Cli();
        cli.transport.on("GET", "/v1/apps/Nope", FakeTransport.error(404, "NOT_FOUND", "no application named Nope"));
        Cli.Result r = cli.run("app", "show", "Nope", "-o", "json");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("error: no application named Nope\n");
    }

    @Test
    void anInternalErrorShowsItsStackTraceButAnExpectedOneDoesNot() {
        java.io.StringWriter sw = new java.io.StringWriter();
        CapstanCli.printError(new java.io.PrintWriter(sw), new IllegalArgumentException("bad input"));
        assertThat(sw).hasToString("error: bad input" + System.lineSeparator());
        sw.getBuffer().setLength(0);
        CapstanCli.printError(new java.io.PrintWriter(sw), new NullPointerException("oops"));
        assertThat(sw.toString()).startsWith("error: internal error: java.lang.NullPointerException: oops")
                .contains("at io.capstan.cli");
    }

    @picocli.CommandLine.Command(name = "dev")
    static final class Dev implements Runnable {
        @picocli.CommandLine.Option(names = "--nodes")
        int nodes;

        @Override
        public void run() {
            throw new CliException("port 19080 is in use");
        }
    }

    @Test
    void subcommandsAddedLaterUseTheSameHandlers() {
        picocli.CommandLine cl = CapstanCli.commandLine();
        cl.addSubcommand(new Dev());
        java.io.StringWriter err = new java.io.StringWriter();
        cl.getSubcommands().get("dev").setErr(new java.io.PrintWriter(err, true));
        assertThat(cl.execute("dev", "--nodes", "3")).isEqualTo(1);
        assertThat(err).hasToString("error: port 19080 is in use\n");
        err.getBuffer().setLength(0);
        assertThat(cl.execute("dev", "--nodes", "three")).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: Invalid value for option '--nodes'");
    }
}
