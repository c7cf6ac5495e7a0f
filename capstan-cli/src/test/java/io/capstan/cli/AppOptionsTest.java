package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class AppOptionsTest {

    private final Cli cli = new Cli();

    @Test
    void createBodyCarriesNameTypeVersionAndParameters() throws Exception {
        JsonNode body = cli.parse(AppCommands.Create.class, "app", "create", "capstan:/App1", "--type", "MyAppType",
                "--version", "1.0.0", "--param", "Greeting=hi there", "--param", "Url=http://x?a=b=c").body();
        assertThat(body).isEqualTo(ApiClient.JSON.readTree("""
                {"name":"App1","type":"MyAppType","version":"1.0.0",
                 "parameters":{"Greeting":"hi there","Url":"http://x?a=b=c"}}"""));
        JsonNode plain = cli.parse(AppCommands.Create.class, "app", "create", "App1", "--type", "T", "--version", "2").body();
        assertThat(plain.has("parameters")).isFalse();
    }

    @Test
    void typeAndVersionAreRequired() {
        Cli.Result r = cli.run("app", "create", "App1", "--type", "T");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required option: '--version=V'");
        assertThat(cli.run("app", "create", "App1", "--type", "T", "--version", "1", "--param", "Greeting").err())
                .contains("'--param' (K=V) should be in KEY=VALUE format");
        assertThat(cli.run("app", "create", "App1", "--type", "T", "--version", "1", "--param", "=x").err())
                .contains("the parameter name is empty");
        assertThat(cli.run("app", "create", "Bad Name", "--type", "T", "--version", "1").err())
                .contains("application name 'Bad Name' is not a valid name");
    }

    @Test
    void aNounWithoutAVerbShowsItsUsage() {
        Cli.Result r = cli.run("app");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("error: capstan app needs a command").contains("create").contains("delete");
    }

    @Test
    void theServerOptionAcceptsHostPortAndRejectsNonsense() {
        assertThat(cli.parse(AppCommands.ListApps.class, "app", "list", "--server", "10.0.0.5:19080/").global.server())
                .hasToString("http://10.0.0.5:19080");
        assertThat(cli.parse(AppCommands.ListApps.class, "app", "list").global.server())
                .hasToString(System.getenv().getOrDefault("CAPSTAN_SERVER", CapstanCli.DEFAULT_SERVER));
        Cli.Result r = cli.run("app", "list", "--server", "ftp://x");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("'ftp://x' is not a server URL: write it like http://127.0.0.1:19080");
        assertThat(cli.run("app", "list", "-o", "yaml").err()).contains("Invalid value for option '--output'");
    }
}
