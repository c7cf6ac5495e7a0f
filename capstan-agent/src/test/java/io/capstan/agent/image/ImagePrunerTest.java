package io.capstan.agent.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.CapstanJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unused images go by age and by total size, least recently used first; an image in use never goes. */
class ImagePrunerTest {

    @TempDir
    Path tmp;

    @Test
    void unusedImagesAreRemovedByAgeAndBySizeButNeverOneInUse() throws Exception {
        ImageStore store = new ImageStore(tmp.resolve("images"), CapstanJson.newMapper());
        UnpackedImage used = image(store, "used", 10_000);
        UnpackedImage old = image(store, "old", 10_000);
        UnpackedImage recent = image(store, "recent", 10_000);
        UnpackedImage newest = image(store, "newest", 10_000);
        Instant now = Instant.parse("2026-12-03T20:00:00Z");
        lastUsed(store, used, now.minus(Duration.ofDays(30)));
        lastUsed(store, old, now.minus(Duration.ofHours(30)));
        lastUsed(store, recent, now.minus(Duration.ofHours(2)));
        lastUsed(store, newest, now.minus(Duration.ofMinutes(1)));
        Set<Digest> inUse = new HashSet<>(Set.of(used.digest()));
        long each = store.sizeBytes(recent.digest());

        // 24 h keeps the recent ones; the cap fits three images, so after the old one the least recently used goes too.
        ImagePruner pruner = new ImagePruner(store, () -> inUse, Clock.fixed(now, java.time.ZoneOffset.UTC),
                new ImagePruner.Policy(Duration.ofHours(24), 2 * each + each / 2));
        ImagePruner.Pruned pruned = pruner.enforcePolicy();
        assertThat(pruned.removed()).containsExactly(old.digest().toString(), recent.digest().toString());
        assertThat(pruned.freedBytes()).isGreaterThanOrEqualTo(2 * each);
        assertThat(pruner.list()).extracting(ImagePruner.ImageInfo::digest)
                .containsExactlyInAnyOrder(used.digest().toString(), newest.digest().toString());
        assertThat(pruner.list()).filteredOn(ImagePruner.ImageInfo::inUse).extracting(ImagePruner.ImageInfo::lastUsedAt)
                .containsExactly(now);

        // A prune on request removes every unused image, and only those.
        assertThat(pruner.pruneUnused().removed()).containsExactly(newest.digest().toString());
        assertThat(store.list()).extracting(UnpackedImage::digest).containsExactly(used.digest());
        assertThat(store.find(old.digest())).isNull();
    }

    private static UnpackedImage image(ImageStore store, String name, int bytes) throws Exception {
        byte[] layer = TestImages.layer(true, List.of(TestImages.Entry.file(name, "x".repeat(bytes))));
        Path layout = store.blobsRoot().getParent().resolveSibling("layout-" + name);
        TestImages.writeLayout(layout, List.of(layer), List.of("/" + name));
        return store.unpack(layout);
    }

    private static void lastUsed(ImageStore store, UnpackedImage image, Instant at) throws Exception {
        store.touch(image.digest());
        Path used = store.find(image.digest()).rootfs().resolveSibling(image.digest().hex() + ".used");
        Files.setLastModifiedTime(used, FileTime.from(at));
    }
}
