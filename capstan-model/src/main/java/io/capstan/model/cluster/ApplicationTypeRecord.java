package io.capstan.model.cluster;

import io.capstan.model.manifest.ApplicationTypeManifest;
import java.time.Instant;

/**
 * A registered application type version. The package content itself is kept beside the state
 * (content-addressed by {@code packageDigest}, the SHA-256 of its .tar.gz) so the log stays small.
 */
public record ApplicationTypeRecord(
        String name, String version, ApplicationTypeManifest manifest, String packageDigest, long packageSize,
        Instant registeredAt) {
}
