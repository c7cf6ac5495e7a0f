package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.pkg.ApplicationPackage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegisterTest {

    @TempDir
    Path dir;

    private static final String MANIFEST = """
            applicationType: MyAppType
            version: 1.0.0
            servicePackages:
              - name: MyServicePackage
                version: 1.0.0
                serviceTypes:
                  - {name: MyServiceType, kind: stateless, codePackage: MyCodePackage}
                codePackages:
                  - name: MyCodePackage
                    version: 1.0.0
                    process:
                      command: %s
                      args: [server.py]
            """;

    private Path write(String command, boolean withCodeFolder) throws IOException {
        Files.writeString(dir.resolve("capstan-app.yaml"), MANIFEST.formatted(command));
        Path code = dir.resolve("MyServicePackage").resolve("MyCodePackage");
        if (withCodeFolder) {
            Files.createDirectories(code);
            Files.writeString(code.resolve("server.py"), "print('hi')\n");
        } else {
            Files.createDirectories(dir.resolve("MyServicePackage"));
        }
        return dir;
    }

    @Test
    void aValidPackageIsUploadedAsGzip() throws IOException {
        Cli cli = new Cli();
        cli.transport.on("POST", "/v1/apptypes", new Transport.Response(201, 3,
                "{\"name\":\"MyAppType\",\"version\":\"1.0.0\",\"packageDigest\":\"abc\"}"));

        Cli.Result r = cli.run("apptype", "register", write("python3", true).toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("registered application type MyAppType 1.0.0\n");
        assertThat(r.err()).startsWith("uploading MyAppType 1.0.0 (");
        FakeTransport.Request post = cli.transport.requests.get(0);
        assertThat(post.contentType()).isEqualTo("application/gzip");
        ApplicationPackage sent = ApplicationPackage.read(new ByteArrayInputStream(post.body()), "upload");
        assertThat(sent.manifest().applicationType()).isEqualTo("MyAppType");
        assertThat(sent.entry("MyServicePackage/MyCodePackage/server.py")).isPresent();
    }

    @Test
    void anInvalidPackageIsReportedProblemByProblemAndNothingIsSent() throws IOException {
        Cli cli = new Cli();
        Cli.Result r = cli.run("apptype", "register", write("./missing.sh", false).toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("error: application package " + dir + " is not valid (")
                .contains("nothing was sent")
                .contains("\n  ").contains("MyCodePackage");
        assertThat(cli.transport.requests).isEmpty();
    }

    @Test
    void aMissingPathIsAnError() {
        Cli cli = new Cli();
        Cli.Result r = cli.run("apptype", "register", dir.resolve("nope.tar.gz").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("does not exist");
        assertThat(cli.transport.requests).isEmpty();
    }
}
