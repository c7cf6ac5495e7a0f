package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.model.ServiceName;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceOptionsTest {

    private final Cli cli = new Cli();

    private JsonNode body(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "service";
        all[1] = "create";
        System.arraycopy(args, 0, all, 2, args.length);
        return asSent(cli.parse(ServiceCommands.Create.class, all).body());
    }

    /** The body as the server reads it (re-parsed from its bytes, so number types compare as sent). */
    private static JsonNode asSent(JsonNode body) {
        try {
            return ApiClient.JSON.readTree(ApiClient.JSON.writeValueAsBytes(body));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode json(String text) throws Exception {
        return ApiClient.JSON.readTree(text);
    }

    @Test
    void statefulBodyHasTheReplicaSetSizesPartitionsAndActivation() throws Exception {
        JsonNode body = body("App1/ServiceA", "--type", "MyServiceType", "--stateful", "--replicas", "3",
                "--min-replicas", "2", "--partitions", "range:0:99:2", "--activation", "exclusive",
                "--constraint", "NodeType == \"frontend\"");
        assertThat(body).isEqualTo(json("""
                {"name":"ServiceA","serviceType":"MyServiceType","kind":"stateful","targetReplicaSetSize":3,
                 "minReplicaSetSize":2,"partitions":{"scheme":"UniformInt64Range","low":0,"high":99,"count":2},
                 "activation":"ExclusiveProcess","placementConstraints":"NodeType == \\"frontend\\""}"""));
    }

    @Test
    void statelessBodyDefaultsToSingletonAndSharedProcess() throws Exception {
        JsonNode body = body("capstan:/App1/Web", "--type", "WebType", "--stateless", "--instances", "-1");
        assertThat(body).isEqualTo(json("""
                {"name":"Web","serviceType":"WebType","kind":"stateless","instanceCount":-1,
                 "partitions":{"scheme":"Singleton"},"activation":"SharedProcess"}"""));
    }

    @Test
    void namedPartitionsAndTheDefaultMinimumIsAMajority() throws Exception {
        JsonNode body = body("App1/S", "--type", "T", "--stateful", "--replicas", "5", "--partitions", "named:a,b,c");
        assertThat(body.get("minReplicaSetSize").asInt()).isEqualTo(3);
        assertThat(body.get("partitions")).isEqualTo(json("{\"scheme\":\"Named\",\"names\":[\"a\",\"b\",\"c\"]}"));
        assertThat(body("App1/S", "--type", "T", "--stateful", "--replicas", "1").get("minReplicaSetSize").asInt()).isEqualTo(1);
        assertThat(body("App1/S", "--type", "T", "--stateful", "--replicas", "3").get("minReplicaSetSize").asInt()).isEqualTo(2);
    }

    @Test
    void serviceNamesAcceptTheShortAndTheUriForm() {
        ServiceCommands.Show a = cli.parse(ServiceCommands.Show.class, "service", "show", "App1/ServiceA");
        ServiceCommands.Show b = cli.parse(ServiceCommands.Show.class, "service", "show", "capstan:/App1/ServiceA");
        assertThat(a.name).isEqualTo(new ServiceName("App1", "ServiceA")).isEqualTo(b.name);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "App1           | must have the form App/Service",
        "App1/          | must have the form App/Service",
        "/ServiceA      | must have the form App/Service",
        "App1/A/B       | must have the form App/Service",
        "capstan:/App1  | must have the form App/Service",
        "1App/ServiceA  | application name '1App' is not a valid name",
    })
    void badServiceNamesAreUsageErrors(String name, String message) {
        Cli.Result r = cli.run("replica", "list", name);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("APP/SVC").contains(message);
        assertThat(cli.transport.requests).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--type T                                                 | say what kind of service this is",
        "--type T --stateless --stateful --instances 1 --replicas 3 | --stateless and --stateful are mutually exclusive",
        "--type T --stateless                                     | --stateless needs --instances N",
        "--type T --stateless --instances 0                       | --instances must be at least 1, or -1",
        "--type T --stateless --instances -2                      | --instances must be at least 1, or -1",
        "--type T --stateless --instances 2 --replicas 3          | --replicas and --min-replicas are for --stateful services",
        "--type T --stateless --instances 2 --min-replicas 1      | --replicas and --min-replicas are for --stateful services",
        "--type T --stateful                                      | --stateful needs --replicas N",
        "--type T --stateful --replicas 0                         | --replicas must be at least 1",
        "--type T --stateful --replicas 3 --instances 2           | --instances is for --stateless services",
        "--type T --stateful --replicas 3 --min-replicas 4        | --min-replicas must be between 1 and --replicas (3)",
        "--type T --stateful --replicas 3 --min-replicas 0        | --min-replicas must be between 1 and --replicas (3)",
        "--stateful --replicas 3                                  | Missing required option: '--type=T'",
        "--type T --stateful --replicas 3 --activation sometimes  | unknown activation mode 'sometimes': use shared or exclusive",
        "--type T --stateful --replicas 3 --wait --timeout 5 | Invalid value for option '--timeout': '5' is not a duration",
        "--type T --stateful --replicas 3 --wait --timeout 0s | '0s' must be a positive duration",
        "--type 9T --stateful --replicas 3                        | Invalid value for option '--type'",
    })
    void kindOptionsMustGoTogether(String options, String message) {
        String[] rest = options.trim().split("\\s+");
        String[] args = new String[rest.length + 3];
        args[0] = "service";
        args[1] = "create";
        args[2] = "App1/S";
        System.arraycopy(rest, 0, args, 3, rest.length);
        Cli.Result r = cli.run(args);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains(message).contains("capstan service create --help");
        assertThat(r.out()).isEmpty();
        assertThat(cli.transport.requests).as("nothing is sent on a usage error").isEmpty();
    }

    @Test
    void timeoutsAreDurations() {
        ServiceCommands.Create c = cli.parse(ServiceCommands.Create.class, "service", "create", "App1/S", "--type", "T",
                "--stateless", "--instances", "1", "--wait", "--timeout", "90s");
        assertThat(c.waiting.timeout).isEqualTo(Duration.ofSeconds(90));
        assertThat(cli.parse(ServiceCommands.Create.class, "service", "create", "App1/S", "--type", "T", "--stateless",
                "--instances", "1", "--timeout", "PT2M").waiting.timeout).isEqualTo(Duration.ofMinutes(2));
        assertThat(cli.parse(ServiceCommands.Create.class, "service", "create", "App1/S", "--type", "T", "--stateless",
                "--instances", "1").waiting.timeout).isEqualTo(Duration.ofMinutes(5));
        assertThat(cli.parse(AppCommands.Delete.class, "app", "delete", "App1", "--wait", "--timeout", "1500ms").waiting.timeout)
                .isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void updateSendsOnlyWhatWasGivenAndPassesActivationThrough() throws Exception {
        JsonNode body = cli.parse(ServiceCommands.Update.class, "service", "update", "App1/S", "--instances", "5",
                "--constraint", "", "--activation", "exclusive").body();
        assertThat(body).isEqualTo(json("{\"instanceCount\":5,\"placementConstraints\":\"\",\"activation\":\"ExclusiveProcess\"}"));
        assertThat(cli.parse(ServiceCommands.Update.class, "service", "update", "App1/S", "--replicas", "5",
                "--min-replicas", "3").body()).isEqualTo(json("{\"targetReplicaSetSize\":5,\"minReplicaSetSize\":3}"));

        Cli.Result r = cli.run("service", "update", "App1/S");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("nothing to update");
    }

    @Test
    void createPostsTheBodyToTheApplicationsServices() throws Exception {
        cli.transport.on("POST", "/v1/apps/App1/services", new Transport.Response(201, 7,
                "{\"name\":\"S\",\"uri\":\"capstan:/App1/S\",\"partitions\":[{},{}],\"replicas\":{\"wanted\":6,\"placed\":0,\"ready\":0}}"));
        Cli.Result r = cli.run("service", "create", "App1/S", "--type", "T", "--stateful", "--replicas", "3",
                "--partitions", "range:0:99:2");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("created service capstan:/App1/S (T, stateful, 2 partition(s))\n");
        FakeTransport.Request post = cli.transport.requests.get(0);
        assertThat(post.contentType()).isEqualTo("application/json");
        assertThat(json(post.bodyText()).get("partitions").get("count").asInt()).isEqualTo(2);
    }
}
