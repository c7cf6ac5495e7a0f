package io.capstan.server.api;

import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.manifest.ApplicationTypeManifest;
import io.capstan.model.manifest.ManifestException;
import io.capstan.model.pkg.ApplicationPackage;
import io.capstan.model.pkg.PackageArchive;
import io.capstan.model.pkg.PackageLimits;
import io.capstan.server.PackageReplication;
import io.capstan.server.PackageStore;
import io.capstan.server.PackageUpload;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Registering, listing and unregistering application types, and serving their packages to agents. */
public final class ApplicationTypeApi {

    private final ApiContext api;
    /** How much file content an archive may unpack to per byte accepted: a gzip bomb is refused past it. */
    static final long UNCOMPRESSED_PER_BYTE = 4;
    /** Archives that must be re-packed (files inside a top folder) are read into memory: only this large. */
    static final long REPACK_LIMIT = 64L * 1024 * 1024;

    private final PackageStore packages;
    private final PackageReplication replication;
    private final long maxPackageBytes;

    public ApplicationTypeApi(ApiContext api, PackageStore packages, PackageReplication replication, long maxPackageBytes) {
        this.api = api;
        this.packages = packages;
        this.replication = replication;
        this.maxPackageBytes = maxPackageBytes;
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
            String digest = ctx.pathParam("digest");
            // A registered package this server lacks (it was down when it was registered) is fetched from a peer first.
            boolean registered = api.store().snapshot().applicationTypeList().stream().anyMatch(t -> t.packageDigest().equals(digest));
            Path file = packages.get(digest).or(() -> registered && replication.fetch(digest) ? packages.get(digest)
                            : java.util.Optional.empty())
                    .orElseThrow(() -> ApiException.notFound("no package with digest " + digest));
            ctx.contentType("application/gzip");
            ctx.result(Files.newInputStream(file));
        });
    }

    /**
     * The upload is streamed to disk while hashed, and checked (manifest and layout) in constant memory; its bytes,
     * named by their SHA-256, are what agents download. An archive whose files sit inside one top folder is
     * re-packed with its files at the root (in memory, so only up to {@link #REPACK_LIMIT}).
     */
    private void registerType(Context ctx) throws IOException {
        try (PackageUpload upload = PackageUpload.receive(ctx.bodyInputStream(), packages.directory(), maxPackageBytes)) {
            if (upload.size() == 0) {
                throw ApiException.invalid("the body must be the application package as a .tar.gz; "
                        + "use `capstan apptype register DIR` to build and send it");
            }
            ApplicationPackage.Inspected inspected;
            try {
                inspected = ApplicationPackage.inspect(upload.file(), "upload",
                        new PackageLimits(UNCOMPRESSED_PER_BYTE * maxPackageBytes, PackageLimits.DEFAULT.maxEntries()));
            } catch (ManifestException e) {
                throw invalidManifest(e);
            }
            ApplicationTypeManifest manifest = inspected.manifest();
            ClusterSnapshot before = api.store().snapshot();
            if (before.applicationType(manifest.applicationType(), manifest.version()).isPresent()) {
                throw new ApiException(409, "ALREADY_EXISTS", "application type " + manifest.applicationType() + " version "
                        + manifest.version() + " is already registered; give the package a new version, or unregister the old one first");
            }
            String digest;
            long size;
            if (inspected.filesAtRoot()) {
                packages.adopt(upload);
                digest = upload.digest();
                size = upload.size();
            } else {
                byte[] archive = repacked(upload);
                digest = PackageArchive.sha256(archive);
                size = archive.length;
                packages.put(digest, archive);
            }
            try {
                replication.replicateToMajority(digest); // acknowledged only once a majority holds it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(503, "UNAVAILABLE", "the server is shutting down");
            }
            ApplicationTypeRecord record = new ApplicationTypeRecord(manifest.applicationType(), manifest.version(), manifest,
                    digest, size, api.clock().instant());
            ClusterSnapshot s = api.write(ctx, new ClusterCommand.RegisterApplicationType(record, record.registeredAt()));
            ctx.status(201).json(Views.applicationType(s, type(s, record.name(), record.version())));
        }
    }

    private static byte[] repacked(PackageUpload upload) throws IOException {
        if (upload.size() > REPACK_LIMIT) {
            throw ApiException.invalid("the archive's files sit inside a top folder, and it is too large (" + upload.size()
                    + " bytes) to re-pack; put capstan-app.yaml at the archive's root, as `capstan apptype register DIR` does");
        }
        try {
            return ApplicationPackage.load(upload.file(), PackageLimits.IN_MEMORY).toTarGz();
        } catch (ManifestException e) {
            throw invalidManifest(e);
        }
    }

    private static ApiException invalidManifest(ManifestException e) {
        return new ApiException(400, "INVALID_MANIFEST", "the application package is not valid ("
                + e.problems().size() + " problem(s))", e.problems().stream().map(Object::toString).toList());
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
