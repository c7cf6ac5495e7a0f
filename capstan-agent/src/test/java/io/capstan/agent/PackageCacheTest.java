package io.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's package cache keeps what the node's assignment uses and forgets the rest. */
class PackageCacheTest {

    @Test
    void packagesNoActivationUsesAreRemoved(@TempDir Path dir) throws Exception {
        String used = "a".repeat(64);
        String unused = "b".repeat(64);
        for (String digest : new String[] {used, unused}) {
            Files.createDirectories(dir.resolve(digest).resolve("Pkg/Code"));
            Files.writeString(dir.resolve(digest).resolve("capstan-app.yaml"), "applicationType: T");
        }
        Path download = Files.writeString(dir.resolve("." + used + ".download-1.tar.gz"), "in progress");
        PackageCache cache = new PackageCache(dir, new FakeControlPlane());

        cache.retainOnly(Set.of(used));

        assertThat(dir.resolve(used).resolve("capstan-app.yaml")).exists();
        assertThat(dir.resolve(unused)).doesNotExist();
        assertThat(download).as("a download under way is not the pruner's").exists();
    }
}
