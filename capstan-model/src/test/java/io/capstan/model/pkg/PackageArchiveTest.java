package io.capstan.model.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageArchiveTest {

    @TempDir
    Path tmp;

    private static final List<PackageEntry> ENTRIES = List.of(
            PackageEntry.file("Pkg/Code/bin/run.sh", "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8), true),
            PackageEntry.file("Pkg/Code/data.txt", "data".getBytes(StandardCharsets.UTF_8), false),
            PackageEntry.file("capstan-app.yaml", "applicationType: X\n".getBytes(StandardCharsets.UTF_8), false),
            PackageEntry.symlink("Pkg/Code/run", "bin/run.sh"));

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private Path extract(byte[] archive) throws IOException {
        Path target = tmp.resolve("out");
        PackageArchive.extract(new ByteArrayInputStream(archive), target);
        return target;
    }

    /** The rejected archive left nothing behind: no target, no temporary folder, nothing outside. */
    private void assertRejected(byte[] archive, String message) throws IOException {
        Path parent = tmp.resolve("parent");
        Files.createDirectories(parent);
        Path target = parent.resolve("out");
        assertThatThrownBy(() -> PackageArchive.extract(new ByteArrayInputStream(archive), target))
                .isInstanceOf(PackageException.class)
                .hasMessageContaining(message);
        try (Stream<Path> left = Files.list(parent)) {
            assertThat(left).as("nothing is left in the parent folder").isEmpty();
        }
        try (Stream<Path> outside = Files.list(tmp)) {
            assertThat(outside).containsExactly(parent);
        }
    }

    @Test
    void extractionPreservesContentExecutableBitsAndLinks() throws IOException {
        Path out = extract(PackageArchive.toBytes(ENTRIES));
        assertThat(perms(out.resolve("Pkg/Code/bin/run.sh"))).isEqualTo("rwxr-xr-x");
        assertThat(perms(out.resolve("Pkg/Code/data.txt"))).isEqualTo("rw-r--r--");
        assertThat(perms(out.resolve("Pkg/Code"))).isEqualTo("rwxr-xr-x");
        assertThat(perms(out)).isEqualTo("rwxr-xr-x");
        assertThat(Files.readString(out.resolve("Pkg/Code/data.txt"))).isEqualTo("data");
        assertThat(Files.readSymbolicLink(out.resolve("Pkg/Code/run"))).isEqualTo(Path.of("bin/run.sh"));
        assertThat(Files.isExecutable(out.resolve("Pkg/Code/run"))).isTrue();
    }

    @Test
    void foreignModesAreNormalizedButTheExecutableBitSurvives() throws IOException {
        byte[] archive = Tars.tarGz(t -> t.dir("d").file("d/tool", "x", 0700).file("d/secret", "y", 0600));
        Path out = extract(archive);
        assertThat(perms(out.resolve("d/tool"))).isEqualTo("rwxr-xr-x");
        assertThat(perms(out.resolve("d/secret"))).isEqualTo("rw-r--r--");
    }

    @Test
    void parentFoldersMissingFromTheArchiveAreCreated() throws IOException {
        Path out = extract(Tars.tarGz(t -> t.file("a/b/c.txt", "c")));
        assertThat(Files.readString(out.resolve("a/b/c.txt"))).isEqualTo("c");
    }

    @Test
    void dotDotSegmentsAreRejected() throws IOException {
        assertRejected(Tars.tarGz(t -> t.file("ok.txt", "fine").file("../evil.txt", "x")), "entry '../evil.txt' contains '..'");
        assertThat(tmp.resolve("evil.txt")).doesNotExist();
        assertRejected(Tars.tarGz(t -> t.file("a/../../evil.txt", "x")), "contains '..'");
    }

    @Test
    void absolutePathsAreRejected() throws IOException {
        assertRejected(Tars.tarGz(t -> t.file("/tmp/capstan-evil.txt", "x")), "has an absolute path");
    }

    @Test
    void linksLeadingOutsideAreRejected() throws IOException {
        assertRejected(Tars.tarGz(t -> t.symlink("up", "../outside")), "symbolic link 'up' points to '../outside', outside the package");
        assertRejected(Tars.tarGz(t -> t.symlink("etc", "/etc/passwd")), "points to the absolute path '/etc/passwd'");
        assertRejected(Tars.tarGz(t -> t.file("a", "x").hardlink("h", "../a")), "hard link 'h' points to '../a', outside the package");
    }

    @Test
    void linkChainsThatLeaveThePackageOnlyWhenFollowedAreRejected() throws IOException {
        // each link looks harmless by its text, but d1/d2/z -> ../up/.. climbs above the root through d1/up -> ..
        byte[] archive = Tars.tarGz(t -> t.dir("d1").symlink("d1/up", "..").dir("d1/d2").symlink("d1/d2/z", "../up/.."));
        assertRejected(archive, "symbolic link 'd1/d2/z' -> '../up/..' cannot be used: it leads outside the package");
    }

    @Test
    void danglingAndLoopingLinksAreRejected() throws IOException {
        assertRejected(Tars.tarGz(t -> t.symlink("nowhere", "missing.txt")), "'missing.txt' does not exist");
        assertRejected(Tars.tarGz(t -> t.symlink("a", "b").symlink("b", "a")), "more than 40 symbolic links");
    }

    @Test
    void nothingIsWrittenThroughALink() throws IOException {
        // "sub" points inside the package, but writing sub/x would follow it
        assertRejected(Tars.tarGz(t -> t.symlink("sub", ".").file("sub/x", "x")),
                "entry 'sub/x' would be written through the symbolic link 'sub'");
    }

    @Test
    void hardLinksToEarlierFilesBecomeCopies() throws IOException {
        Path out = extract(Tars.tarGz(t -> t.file("a.sh", "echo", 0755).hardlink("b.sh", "a.sh")));
        assertThat(Files.readString(out.resolve("b.sh"))).isEqualTo("echo");
        assertThat(perms(out.resolve("b.sh"))).isEqualTo("rwxr-xr-x");
        assertThat(Files.isSymbolicLink(out.resolve("b.sh"))).isFalse();
    }

    @Test
    void devicesFifosAndDuplicatesAreRejected() throws IOException {
        assertRejected(Tars.tarGz(t -> t.special("tty", TarConstants.LF_CHR)), "entry 'tty' is a character device");
        assertRejected(Tars.tarGz(t -> t.special("pipe", TarConstants.LF_FIFO)), "entry 'pipe' is a FIFO");
        assertRejected(Tars.tarGz(t -> t.file("a", "1").file("a", "2")), "entry 'a' appears twice");
    }

    @Test
    void sizeAndEntryLimitsAreEnforced() throws IOException {
        byte[] big = Tars.tarGz(t -> t.file("big", "x".repeat(5000)));
        Path target = tmp.resolve("big");
        assertThatThrownBy(() -> PackageArchive.extract(new ByteArrayInputStream(big), target, new PackageLimits(4096, 10)))
                .isInstanceOf(PackageException.class)
                .hasMessageStartingWith("the package holds more than 4096 bytes of uncompressed content, the limit;");
        assertThat(target).doesNotExist();
        byte[] many = Tars.tarGz(t -> t.file("a", "").file("b", "").file("c", ""));
        assertThatThrownBy(() -> PackageArchive.read(new ByteArrayInputStream(many), new PackageLimits(4096, 2)))
                .isInstanceOf(PackageException.class)
                .hasMessage("the archive has more than 2 entries");
        assertThat(PackageLimits.DEFAULT.maxUncompressedBytes()).isEqualTo(8L * 1024 * 1024 * 1024);
        assertThat(PackageLimits.IN_MEMORY.maxUncompressedBytes()).isEqualTo(256L * 1024 * 1024);
    }

    @Test
    void aListingKeepsTheStructureAndTheManifestButNoOtherContent() throws IOException {
        byte[] archive = Tars.tarGz(t -> t.file("capstan-app.yaml", "applicationType: T").file("Pkg/Code/blob", "x".repeat(5000)));
        List<PackageEntry> listed = PackageArchive.list(new ByteArrayInputStream(archive), PackageLimits.DEFAULT, "capstan-app.yaml");
        PackageEntry blob = listed.stream().filter(e -> e.path().equals("Pkg/Code/blob")).findFirst().orElseThrow();
        PackageEntry manifest = listed.stream().filter(e -> e.path().equals("capstan-app.yaml")).findFirst().orElseThrow();
        assertThat(blob.size()).isEqualTo(5000);
        assertThat(blob.content()).isEmpty();
        assertThat(new String(manifest.content(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("applicationType: T");
        assertThat(listed).extracting(PackageEntry::path).contains("Pkg", "Pkg/Code");
        assertThatThrownBy(() -> PackageArchive.list(new ByteArrayInputStream(archive), new PackageLimits(4096, 10), "capstan-app.yaml"))
                .isInstanceOf(PackageException.class).hasMessageContaining("uncompressed content, the limit");
    }

    @Test
    void garbageIsNotAnArchive() throws IOException {
        byte[] truncated = java.util.Arrays.copyOf(PackageArchive.toBytes(ENTRIES), 40);
        assertRejected(truncated, "is not a valid .tar.gz");
        assertThatThrownBy(() -> PackageArchive.read(new ByteArrayInputStream(new byte[0]), PackageLimits.DEFAULT))
                .isInstanceOf(PackageException.class).hasMessage("the archive is empty");
    }

    @Test
    void anExistingTargetIsNeverOverwritten() throws IOException {
        Path target = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(target.resolve("keep.txt"), "mine");
        assertThatThrownBy(() -> PackageArchive.extract(new ByteArrayInputStream(PackageArchive.toBytes(ENTRIES)), target))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(target.resolve("keep.txt"))).isEqualTo("mine");
    }

    @Test
    void writtenArchivesAreCanonical() throws IOException {
        List<PackageEntry> reversed = new ArrayList<>(ENTRIES);
        java.util.Collections.reverse(reversed);
        byte[] a = PackageArchive.toBytes(ENTRIES);
        assertThat(PackageArchive.toBytes(reversed)).isEqualTo(a);

        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(a)))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                names.add(e.getName());
                assertThat(e.getModTime().getTime()).isZero();
                assertThat(e.getLongUserId()).isZero();
                assertThat(e.getUserName()).isEmpty();
                assertThat(e.getGroupName()).isEmpty();
            }
        }
        // sorted, with the implied parent folders made explicit
        assertThat(names).containsExactly("Pkg/", "Pkg/Code/", "Pkg/Code/bin/", "Pkg/Code/bin/run.sh", "Pkg/Code/data.txt",
                "Pkg/Code/run", "capstan-app.yaml");
    }

    @Test
    void longNamesAreWrittenDeterministicallyAndReadBack() throws IOException {
        String longDir = "d".repeat(60) + "/" + "e".repeat(60);
        List<PackageEntry> entries = List.of(
                PackageEntry.file(longDir + "/f.txt", "x".getBytes(StandardCharsets.UTF_8), false),
                PackageEntry.symlink("l", longDir + "/f.txt"));
        byte[] first = PackageArchive.toBytes(entries);
        assertThat(PackageArchive.toBytes(entries)).isEqualTo(first);
        byte[] tar = new GZIPInputStream(new ByteArrayInputStream(first)).readAllBytes();
        String user = System.getProperty("user.name");
        assertThat(new String(tar, StandardCharsets.ISO_8859_1)).as("no user name in any header").doesNotContain(user);
        List<PackageEntry> back = PackageArchive.read(new ByteArrayInputStream(first), PackageLimits.DEFAULT);
        assertThat(back).extracting(PackageEntry::path).contains(longDir + "/f.txt", "l");
        assertThat(back.stream().filter(e -> e.path().equals("l")).findFirst().orElseThrow().linkTarget())
                .isEqualTo(longDir + "/f.txt");
    }
}
