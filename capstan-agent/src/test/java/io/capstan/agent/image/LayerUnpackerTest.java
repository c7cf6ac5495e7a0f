package io.capstan.agent.image;

import static io.capstan.agent.image.TestImages.Entry.dir;
import static io.capstan.agent.image.TestImages.Entry.file;
import static io.capstan.agent.image.TestImages.Entry.symlink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.model.CapstanJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layers applied in order with whiteouts, digests checked, entries kept inside the rootfs. */
class LayerUnpackerTest {

    @TempDir
    Path tmp;

    @Test
    void whiteoutsApplyToLowerLayersOnlyAndAreNeverWritten() throws IOException {
        byte[] lower = TestImages.layer(true, List.of(dir("a"), file("a/gone", "1"), file("a/kept", "2"),
                dir("b"), file("b/old1", "3"), dir("b/sub"), file("b/sub/old2", "4"), file("c", "5"), symlink("l", "a/kept")));
        byte[] upper = TestImages.layer(false, List.of(
                // Listed after the file it would hide if applied in tar order: the layer's own b/new must survive.
                dir("b"), file("b/new", "6"), file("b/.wh..wh..opq", ""),
                file("a/.wh.gone", ""), file(".wh.c", ""), file("c2", "7"),
                // A whiteout for something only this layer adds hides nothing of it.
                file("d", "8"), file(".wh.d", "")));
        Path layout = tmp.resolve("layout");
        Digest digest = TestImages.writeLayout(layout, List.of(lower, upper), List.of("/bin/true"));
        ImageStore store = new ImageStore(tmp.resolve("images"), CapstanJson.newMapper());

        UnpackedImage image = store.unpack(layout);

        assertThat(image.digest()).isEqualTo(digest);
        assertThat(tree(image.rootfs())).containsExactly("a/", "a/kept", "b/", "b/new", "c2", "capstan/", "capstan/code/",
                "capstan/log/", "capstan/work/", "d", "dev/", "l", "proc/", "sys/", "tmp/");
        assertThat(Files.readString(image.rootfs().resolve("b/new"))).isEqualTo("6");
        assertThat(Files.readSymbolicLink(image.rootfs().resolve("l"))).isEqualTo(Path.of("a/kept"));
        assertThat(image.config().cmd()).containsExactly("/bin/true");
        // Asked again, the cached rootfs is used as it is.
        assertThat(store.unpack(layout).rootfs()).isEqualTo(image.rootfs());
        assertThat(store.list()).extracting(UnpackedImage::digest).containsExactly(digest);
    }

    @Test
    void aCorruptedLayerIsRefusedByItsDigestAndNothingIsUnpacked() throws IOException {
        Path layout = tmp.resolve("layout");
        byte[] layer = TestImages.layer(true, List.of(file("f", "original")));
        TestImages.writeLayout(layout, List.of(layer), List.of("/bin/true"));
        Digest layerDigest = Digest.of(layer);
        byte[] tampered = TestImages.layer(true, List.of(file("f", "tampered")));
        Files.write(layout.resolve("blobs/sha256").resolve(layerDigest.hex()), tampered);
        ImageStore store = new ImageStore(tmp.resolve("images"), CapstanJson.newMapper());

        assertThatThrownBy(() -> store.unpack(layout))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("layer " + layerDigest + " is corrupt: its content hashes to " + Digest.of(tampered));
        assertThat(store.list()).isEmpty();
        try (Stream<Path> s = Files.list(tmp.resolve("images/rootfs"))) {
            assertThat(s).as("no half-unpacked rootfs is left").isEmpty();
        }
    }

    @Test
    void entriesThatLeaveTheRootfsAreRefused() throws IOException {
        Path layout = tmp.resolve("layout");
        TestImages.writeLayout(layout, List.of(TestImages.layer(false, List.of(file("../escape", "x")))), List.of("/x"));
        ImageStore store = new ImageStore(tmp.resolve("images"), CapstanJson.newMapper());
        assertThatThrownBy(() -> store.unpack(layout)).hasMessageContaining("layer entry ../escape leaves the rootfs");
        assertThat(tmp.resolve("images/rootfs/escape")).doesNotExist();
        Path layout2 = tmp.resolve("layout2");
        TestImages.writeLayout(layout2, List.of(TestImages.layer(false, List.of(symlink("etc", "/etc"), file("etc/passwd", "x")))),
                List.of("/x"));
        assertThatThrownBy(() -> store.unpack(layout2)).hasMessageContaining("through the symlink etc");
    }

    private static TreeSet<String> tree(Path root) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(p -> !p.equals(root)).forEach(p -> names.add(root.relativize(p)
                    + (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "/" : "")));
        }
        return names;
    }
}
