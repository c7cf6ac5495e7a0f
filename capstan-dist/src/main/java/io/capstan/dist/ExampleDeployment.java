package io.capstan.dist;

import io.capstan.cli.ApiClient;
import io.capstan.cli.ApiException;
import io.capstan.cli.CapstanCli;
import io.capstan.cli.HttpTransport;
import io.capstan.model.manifest.ApplicationTypeManifest;
import io.capstan.model.manifest.ManifestException;
import io.capstan.model.pkg.ApplicationPackage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * What {@code capstan dev --deploy DIR} does once the cluster is ready: the same CLI commands a
 * user would type, skipped where their result already exists (a restart on the same data).
 */
final class ExampleDeployment {

    private final String server;
    private final ApiClient api;

    /** @param token an operate token's secret for a cluster with ACLs, or null */
    ExampleDeployment(String server, String token) {
        this.server = server;
        this.api = new ApiClient(new HttpTransport(URI.create(server), token));
    }

    /** The application created for a type: HelloAppType -> HelloApp, Shop -> ShopApp. */
    static String applicationName(String type) {
        return type.endsWith("Type") && type.length() > 4 ? type.substring(0, type.length() - 4) : type + "App";
    }

    void deploy(Path dir) throws IOException {
        ApplicationTypeManifest manifest;
        try {
            manifest = ApplicationPackage.load(dir).manifest();
        } catch (ManifestException e) {
            System.err.println("capstan dev: --deploy " + dir + " is not a valid application package:");
            e.problems().forEach(p -> System.err.println("  " + p));
            return;
        }
        String type = manifest.applicationType();
        String version = manifest.version();
        String app = applicationName(type);
        if (!exists(ApiClient.path("v1", "apptypes", type, version))) {
            cli("apptype", "register", dir.toString());
        }
        if (!exists(ApiClient.path("v1", "apps", app))) {
            cli("app", "create", app, "--type", type, "--version", version, "--wait");
        }
        System.out.println("Deployed capstan:/" + app + " (" + type + " " + version + "). Try: ./capstan service list " + app);
        System.out.flush();
    }

    private boolean exists(String path) {
        try {
            api.get(path);
            return true;
        } catch (ApiException e) {
            if (e.status() == 404) {
                return false;
            }
            throw e;
        }
    }

    private void cli(String... args) {
        String[] withServer = java.util.Arrays.copyOf(args, args.length + 2);
        withServer[args.length] = "--server";
        withServer[args.length + 1] = server;
        int exit = CapstanCli.commandLine().execute(withServer);
        if (exit != 0) {
            System.err.println("capstan dev: `capstan " + String.join(" ", args) + "` failed (exit " + exit
                    + "); the cluster keeps running");
        }
    }
}
