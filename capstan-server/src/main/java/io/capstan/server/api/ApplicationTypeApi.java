package io.capstan.server.api;

import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.manifest.ManifestException;
import io.capstan.model.pkg.ApplicationPackage;
import io.capstan.server.PackageStore;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Registering, listing and unregistering application types, and serving their packages to agents. */
public final class ApplicationTypeApi {

    private final ApiContext api;
    private final PackageStore packages;

    public ApplicationTypeApi(ApiContext api, PackageStore packages) {
        this.api = api;
        this.packages = packages;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/apptypes", this::registerType);
        routes.get("/v1/apptypes", ctx -> {
            ClusterSnapshot s = api.read(ctx);
            ctx.json(new Views.Items<>(s.applicationTypeList().stream().map(t -> Views.applicationType(s, t)).toList()));
        });
        routes.get("/v1/apptypes/{name}/{version}", ctx -> {
            ClusterSnapshot s = api.read(ctx);
            ctx.json(Views.applicationType(s, type(s, ctx.pathParam("name"), ctx.pathParam("version"))));
        });
        routes.delete("/v1/apptypes/{name}/{version}", ctx -> {
            ApplicationTypeRecord type = type(api.store().snapshot(), ctx.pathParam("name"), ctx.pathParam("version"));
            ClusterSnapshot after = api.write(ctx, new ClusterCommand.UnregisterApplicationType(type.name(), type.version(),
                    api.clock().instant()));
            if (after.applicationTypeList().stream().noneMatch(t -> t.packageDigest().equals(type.packageDigest()))) {
                packages.delete(type.packageDigest()); // growth is bounded: no type uses it any more
            }
            ctx.json(java.util.Map.of());
        });
        routes.get("/v1/packages/{digest}", ctx -> {
            Path file = packages.get(ctx.pathParam("digest"))
                    .orElseThrow(() -> ApiException.notFound("no package with digest " + ctx.pathParam("digest")));
            ctx.contentType("application/gzip");
            ctx.result(Files.newInputStream(file));
        });
    }

    private void registerType(Context ctx) throws IOException {
        byte[] body = ctx.bodyAsBytes();
        if (body.length == 0) {
            throw ApiException.invalid("the body must be the application package as a .tar.gz; "
                    + "use `capstan apptype register DIR` to build and send it");
        }
        ApplicationPackage pkg;
        try {
            pkg = ApplicationPackage.read(new java.io.ByteArrayInputStream(body), "upload");
        } catch (ManifestException e) {
            throw new ApiException(400, "INVALID_MANIFEST", "the application package is not valid ("
                    + e.problems().size() + " problem(s))", e.problems().stream().map(Object::toString).toList());
        }
        byte[] archive = pkg.toTarGz();
        String digest = pkg.digest();
        ClusterSnapshot before = api.store().snapshot();
        var manifest = pkg.manifest();
        if (before.applicationType(manifest.applicationType(), manifest.version()).isPresent()) {
            throw new ApiException(409, "ALREADY_EXISTS", "application type " + manifest.applicationType() + " version "
                    + manifest.version() + " is already registered; give the package a new version, or unregister the old one first");
        }
        try {
            packages.put(digest, archive);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the package", e);
        }
        ApplicationTypeRecord record = new ApplicationTypeRecord(manifest.applicationType(), manifest.version(), manifest,
                digest, archive.length, api.clock().instant());
        ClusterSnapshot s = api.write(ctx, new ClusterCommand.RegisterApplicationType(record, record.registeredAt()));
        ctx.status(201).json(Views.applicationType(s, type(s, record.name(), record.version())));
    }

    static ApplicationTypeRecord type(ClusterSnapshot s, String name, String version) {
        return s.applicationType(name, version).orElseThrow(() -> {
            var versions = s.applicationTypes().get(name);
            return ApiException.notFound(versions == null
                    ? "application type " + name + " is not registered; register it with `capstan apptype register DIR`"
                            + " or see `capstan apptype list`"
                    : "application type " + name + " has no version " + version + "; registered versions: " + versions.keySet());
        });
    }
}
