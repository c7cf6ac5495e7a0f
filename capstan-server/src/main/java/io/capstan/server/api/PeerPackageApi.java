package io.capstan.server.api;

import io.capstan.server.PackageReplication;
import io.capstan.server.PackageStore;
import io.javalin.config.RoutesConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Servers copying packages among themselves: {@code PUT} stores an archive under its digest (refused when the
 * content has another), {@code GET} serves one only if this server holds it (it never asks further, so two servers
 * missing a package do not ask each other in a loop).
 */
public final class PeerPackageApi {

    private final PackageStore packages;
    private final PackageReplication replication;

    public PeerPackageApi(PackageStore packages, PackageReplication replication) {
        this.packages = packages;
        this.replication = replication;
    }

    public void register(RoutesConfig routes) {
        routes.put(PackageReplication.PEER_PATH + "{digest}", ctx -> {
            String digest = digest(ctx.pathParam("digest"));
            if (!replication.receive(digest, ctx.bodyInputStream())) {
                throw ApiException.invalid("body: its SHA-256 is not " + digest + "; send the archive named by that digest");
            }
            ctx.json(Map.of("digest", digest));
        });
        routes.get(PackageReplication.PEER_PATH + "{digest}", ctx -> {
            String digest = digest(ctx.pathParam("digest"));
            Path file = packages.get(digest).orElseThrow(() -> ApiException.notFound("this server holds no package " + digest));
            ctx.contentType("application/gzip");
            ctx.result(Files.newInputStream(file));
        });
    }

    private static String digest(String text) {
        if (!text.matches("[0-9a-f]{64}")) {
            throw ApiException.invalid("digest: '" + text + "' must be 64 lowercase hex digits (a SHA-256)");
        }
        return text;
    }
}
