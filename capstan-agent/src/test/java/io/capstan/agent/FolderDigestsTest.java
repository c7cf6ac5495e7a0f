package io.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folder content digests: the same files give the same digest wherever they are; any change of content, name or mode shows. */
class FolderDigestsTest {

    @TempDir
    Path tmp;

    private Path folder(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name).resolve("sub"));
        Files.writeString(dir.resolve("b.txt"), "bee\n");
        Files.writeString(dir.getParent().resolve("a.conf"), "level=info\n");
        return dir.getParent();
    }

    @Test
    void sameContentSameDigestAndEveryKindOfChangeShows() throws Exception {
        Path one = folder("one");
        Path two = folder("two");
        String digest = FolderDigests.compute(one);
        assertThat(digest).matches("[0-9a-f]{64}").isEqualTo(FolderDigests.compute(two));
        Files.setLastModifiedTime(two.resolve("a.conf"), java.nio.file.attribute.FileTime.fromMillis(0));
        assertThat(FolderDigests.compute(two)).as("times do not count").isEqualTo(digest);

        Files.writeString(two.resolve("a.conf"), "level=debug\n");
        assertThat(FolderDigests.compute(two)).as("content").isNotEqualTo(digest);
        Files.writeString(two.resolve("a.conf"), "level=info\n");
        Files.setPosixFilePermissions(two.resolve("a.conf"), PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(FolderDigests.compute(two)).as("executable bit").isNotEqualTo(digest);
        Files.setPosixFilePermissions(two.resolve("a.conf"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(two.resolve("sub/b.txt"), two.resolve("sub/c.txt"));
        assertThat(FolderDigests.compute(two)).as("names").isNotEqualTo(digest);
        Files.move(two.resolve("sub/c.txt"), two.resolve("sub/b.txt"));
        Files.createDirectories(two.resolve("empty"));
        assertThat(FolderDigests.compute(two)).as("an empty folder").isNotEqualTo(digest);
        assertThat(FolderDigests.compute(tmp.resolve("missing"))).isEqualTo(FolderDigests.ABSENT);
    }

    @Test
    void eachFolderOfAPackageIsHashedOnceUntilThePackageIsGone() throws Exception {
        Path pkg = folder("pkg");
        FolderDigests digests = new FolderDigests();
        String first = digests.of("d1", tmp, "pkg");
        Files.writeString(pkg.resolve("a.conf"), "changed under the same digest\n");
        assertThat(digests.of("d1", tmp, "pkg")).as("cached: a package never changes under its digest").isEqualTo(first);
        digests.retainOnly(Set.of("d2"));
        assertThat(digests.of("d1", tmp, "pkg")).as("forgotten with the package").isNotEqualTo(first);
    }
}
