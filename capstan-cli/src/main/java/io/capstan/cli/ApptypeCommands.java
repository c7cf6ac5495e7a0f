package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.model.manifest.ManifestException;
import io.capstan.model.manifest.ManifestProblem;
import io.capstan.model.pkg.ApplicationPackage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "apptype", synopsisSubcommandLabel = "COMMAND",
        description = "Application types: named, versioned bundles of service packages.",
        subcommands = {ApptypeCommands.Register.class, ApptypeCommands.ListTypes.class, ApptypeCommands.Unregister.class})
final class ApptypeCommands extends GroupCommand {

    @Command(name = "register", description = "Check an application package here, then upload it to register its type.")
    static final class Register extends ApiCommand {
        @Parameters(index = "0", paramLabel = "DIR|FILE",
                description = "Application package: a folder holding capstan-app.yaml, or a .tar.gz of one.")
        Path source;

        @Override
        public Integer call() {
            ApplicationPackage pkg = load(source);
            byte[] archive = pkg.toTarGz();
            info("uploading " + pkg.manifest().applicationType() + " " + pkg.manifest().version() + " ("
                    + size(archive.length) + ", sha256 " + pkg.digest().substring(0, 12) + ") to " + api().server());
            ApiResponse registered = api().postBytes("/v1/apptypes", archive, "application/gzip");
            if (json()) {
                printBody(registered);
            } else {
                JsonNode view = registered.json();
                String name = Json.text(view, "name") == null ? pkg.manifest().applicationType() : Json.text(view, "name");
                String version = Json.text(view, "version") == null ? pkg.manifest().version() : Json.text(view, "version");
                result("registered application type " + name + " " + version);
            }
            return 0;
        }

        /** Loads and checks the package; every problem is reported and nothing is sent. */
        static ApplicationPackage load(Path source) {
            try {
                return ApplicationPackage.load(source);
            } catch (ManifestException e) {
                List<String> problems = new ArrayList<>();
                for (ManifestProblem p : e.problems()) {
                    problems.add(p.toString());
                }
                throw new CliException("application package " + source + " is not valid ("
                        + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "); nothing was sent", problems);
            } catch (IOException e) {
                throw new CliException("cannot read application package " + source + ": " + e.getMessage(), e);
            }
        }

        static String size(long bytes) {
            if (bytes < 1024) {
                return bytes + " B";
            }
            if (bytes < 1024 * 1024) {
                return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
            }
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        }
    }

    @Command(name = "list", description = "List registered application types.")
    static final class ListTypes extends ApiCommand {
        @Override
        public Integer call() {
            showList(api().get("/v1/apptypes"), "no application types registered", ListTypes::table);
            return 0;
        }

        static Table table(JsonNode body) {
            Table t = new Table("NAME", "VERSION", "SERVICE PACKAGES", "DEFAULT SERVICES", "APPLICATIONS", "REGISTERED");
            for (JsonNode a : Json.items(body)) {
                List<String> packages = new ArrayList<>();
                for (JsonNode sp : a.path("servicePackages")) {
                    packages.add(Json.text(sp, "name") + (Json.text(sp, "version") == null ? "" : " " + Json.text(sp, "version")));
                }
                t.row(Json.text(a, "name"), Json.text(a, "version"), String.join(", ", packages),
                        Json.joined(a.path("defaultServices")), Json.joined(a.path("applications")), Json.text(a, "registeredAt"));
            }
            return t;
        }
    }

    @Command(name = "unregister", description = "Unregister an application type version no application uses.")
    static final class Unregister extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME", converter = Converters.Name.class)
        String name;

        @Parameters(index = "1", paramLabel = "VERSION")
        String version;

        @Override
        public Integer call() {
            ApiResponse response = api().delete(ApiClient.path("v1", "apptypes", name, version));
            if (json()) {
                printBody(response);
            } else {
                result("unregistered application type " + name + " " + version);
            }
            return 0;
        }
    }
}
