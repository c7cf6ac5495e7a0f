package io.capstan.model.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.capstan.model.ActivationMode;
import io.capstan.model.PartitionScheme;
import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceSpec;
import io.capstan.model.manifest.ApplicationTypeManifest;
import io.capstan.model.manifest.ManifestException;
import io.capstan.model.manifest.ManifestProblem;
import io.capstan.model.manifest.ProcessSpec;
import io.capstan.model.manifest.ResourceRequest;
import io.capstan.model.manifest.ServicePackageManifest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplicationPackageTest {

    private static final Path HELLO = Path.of("..", "examples", "hello-app");
    private static final Path WALKTHROUGH = Path.of("..", "examples", "walkthrough-app");

    private static final String MANIFEST = """
            applicationType: TestAppType
            version: 1.0.0
            servicePackages:
              - name: Pkg
                version: 1.0.0
                serviceTypes:
                  - {name: TestType, kind: stateless, codePackage: Code}
                codePackages:
                  - name: Code
                    version: 1.0.0
                    process:
                      command: ./bin/run.sh
            """;

    @TempDir
    Path tmp;

    private Path folder(String manifest) throws IOException {
        Path root = Files.createDirectories(tmp.resolve("app"));
        Files.writeString(root.resolve("capstan-app.yaml"), manifest);
        Path bin = Files.createDirectories(root.resolve("Pkg/Code/bin"));
        Files.writeString(bin.resolve("run.sh"), "#!/bin/sh\nexec sleep 1000\n");
        Files.setPosixFilePermissions(bin.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(root.resolve("Pkg/Code/data.txt"), "data\n");
        return root;
    }

    private static List<ManifestProblem> problems(Path path) {
        ManifestException e = catchThrowableOfType(ManifestException.class, () -> ApplicationPackage.load(path));
        assertThat(e).as("the package should be rejected").isNotNull();
        return e.problems();
    }

    @Test
    void helloExampleLoadsWithItsTwoServices() throws IOException {
        ApplicationPackage pkg = ApplicationPackage.load(HELLO);
        ApplicationTypeManifest m = pkg.manifest();
        assertThat(m.applicationType()).isEqualTo("HelloAppType");
        assertThat(m.version()).isEqualTo("1.0.0");
        assertThat(m.parameters()).containsKey("Greeting");
        assertThat(m.defaultServices()).extracting(d -> d.name()).containsExactly("FrontendService", "CounterService");
        assertThat(m.defaultServices().get(0).spec()).isEqualTo(
                ServiceSpec.stateless("FrontendType", -1, new PartitionScheme.Singleton(), ActivationMode.SHARED_PROCESS));
        assertThat(m.defaultServices().get(1).spec()).isEqualTo(
                ServiceSpec.stateful("CounterType", 3, 2, new PartitionScheme.Singleton(), ActivationMode.EXCLUSIVE_PROCESS));
        ServicePackageManifest frontend = m.packageOfServiceType("FrontendType").orElseThrow();
        assertThat(frontend.endpoints()).extracting(e -> e.portVariable()).containsExactly("CAPSTAN_ENDPOINT_WEB_PORT");
        assertThat(((ProcessSpec) frontend.codePackages().get(0).run()).args()).containsExactly("frontend.py", "--greeting", "[Greeting]");
        assertThat(m.packageOfServiceType("CounterType").orElseThrow().endpoints())
                .extracting(e -> e.portVariable()).containsExactly("CAPSTAN_ENDPOINT_API_PORT");
        assertThat(pkg.entry("FrontendPackage/FrontendCode/frontend.py")).isPresent();
        assertThat(pkg.entry("CounterPackage/CounterCode/counter.py")).isPresent();
        assertThat(pkg.entries()).extracting(PackageEntry::path)
                .as("no state or cache files were left in the example")
                .noneMatch(p -> p.endsWith(".json") || p.contains("__pycache__"));
    }

    @Test
    void walkthroughExampleIsTheSeedsApplicationType() throws IOException {
        ApplicationTypeManifest m = ApplicationPackage.load(WALKTHROUGH).manifest();
        assertThat(m.applicationType()).isEqualTo("MyAppType");
        assertThat(m.version()).isEqualTo("1.0.0");
        assertThat(m.defaultServices()).isEmpty();
        ServicePackageManifest sp = m.servicePackage("MyServicePackage").orElseThrow();
        assertThat(sp.serviceType("MyServiceType").orElseThrow().kind()).isEqualTo(ServiceKind.STATEFUL);
        assertThat(sp.serviceType("MyServiceType").orElseThrow().codePackage()).isEqualTo("MyCodePackage");
        assertThat(sp.codePackage("MyCodePackage").orElseThrow().resources()).isEqualTo(new ResourceRequest(0.01, 16));
        assertThat(sp.codePackage("MyCodePackage").orElseThrow().run()).isEqualTo(new ProcessSpec("/bin/sh", List.of("host.sh"), null, null));
        assertThat(sp.configPackages()).extracting(f -> f.name()).containsExactly("Settings");
        assertThat(sp.codePackage("MyCodePackage").orElseThrow().onConfigChange().signal()).isEqualTo("HUP");
    }

    @Test
    void theSameFolderAlwaysGivesTheSameBytes() throws IOException {
        Path root = folder(MANIFEST);
        ApplicationPackage first = ApplicationPackage.load(root);
        byte[] bytes = first.toTarGz();
        assertThat(ApplicationPackage.load(root).toTarGz()).isEqualTo(bytes);
        assertThat(first.digest()).hasSize(64).isEqualTo(PackageArchive.sha256(bytes)).isEqualTo(ApplicationPackage.load(root).digest());

        touchEverything(root, FileTime.fromMillis(1_234_567_890_000L));
        assertThat(ApplicationPackage.load(root).toTarGz()).as("mtimes do not matter").isEqualTo(bytes);

        Files.setPosixFilePermissions(root.resolve("Pkg/Code/data.txt"), PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(ApplicationPackage.load(root).digest()).as("the executable bit does").isNotEqualTo(first.digest());
    }

    @Test
    void aPackageFolderReachedThroughALinkLoadsTheSame() throws IOException {
        Path root = folder(MANIFEST);
        Path link = Files.createSymbolicLink(tmp.resolve("link-to-app"), root);
        assertThat(ApplicationPackage.load(link).digest()).isEqualTo(ApplicationPackage.load(root).digest());
    }

    @Test
    void theExampleDigestIsStableAcrossCopies() throws IOException {
        Path copy = tmp.resolve("hello-copy");
        copyTree(HELLO, copy);
        touchEverything(copy, FileTime.fromMillis(0));
        assertThat(ApplicationPackage.load(copy).digest()).isEqualTo(ApplicationPackage.load(HELLO).digest());
    }

    @Test
    void anArchiveReadsBackToTheSamePackage() throws IOException {
        ApplicationPackage pkg = ApplicationPackage.load(folder(MANIFEST));
        ApplicationPackage back = ApplicationPackage.read(new ByteArrayInputStream(pkg.toTarGz()), "upload");
        assertThat(back.digest()).isEqualTo(pkg.digest());
        assertThat(back.manifest()).isEqualTo(pkg.manifest());
        assertThat(back.entries()).extracting(PackageEntry::toString).isEqualTo(pkg.entries().stream().map(PackageEntry::toString).toList());
        assertThat(back.archiveSize()).isEqualTo(pkg.toTarGz().length);
    }

    @Test
    void aTarGzWithOneTopLevelFolderIsAcceptedAndCanonicalized() throws IOException {
        Path root = folder(MANIFEST);
        String manifest = Files.readString(root.resolve("capstan-app.yaml"));
        byte[] archive = Tars.tarGz(t -> t.dir("app").file("app/capstan-app.yaml", manifest)
                .dir("app/Pkg").dir("app/Pkg/Code").file("app/Pkg/Code/data.txt", "data\n", 0664)
                .file("app/Pkg/Code/bin/run.sh", "#!/bin/sh\nexec sleep 1000\n", 0775));
        Path file = tmp.resolve("app.tar.gz");
        Files.write(file, archive);
        ApplicationPackage fromTar = ApplicationPackage.load(file);
        assertThat(fromTar.manifest().applicationType()).isEqualTo("TestAppType");
        assertThat(fromTar.entry("Pkg/Code/bin/run.sh").orElseThrow().executable()).isTrue();
        assertThat(fromTar.digest()).as("same content, same digest").isEqualTo(ApplicationPackage.load(root).digest());
    }

    @Test
    void aTarGzWithFilesAtItsRootIsAccepted() throws IOException {
        Path file = tmp.resolve("hello.tar.gz");
        Files.write(file, ApplicationPackage.load(HELLO).toTarGz());
        assertThat(ApplicationPackage.load(file).manifest().applicationType()).isEqualTo("HelloAppType");
    }

    @Test
    void extractingThePackageKeepsTheExecutableBit() throws IOException {
        ApplicationPackage pkg = ApplicationPackage.load(folder(MANIFEST));
        Path out = tmp.resolve("extracted");
        PackageArchive.extract(new ByteArrayInputStream(pkg.toTarGz()), out);
        assertThat(Files.isExecutable(out.resolve("Pkg/Code/bin/run.sh"))).isTrue();
        assertThat(Files.isExecutable(out.resolve("Pkg/Code/data.txt"))).isFalse();
        assertThat(ApplicationPackage.load(out).digest()).isEqualTo(pkg.digest());
    }

    @Test
    void missingServicePackageFolder() throws IOException {
        Path root = folder(MANIFEST.replace("- name: Pkg", "- name: Other"));
        ManifestProblem p = problems(root).get(0);
        assertThat(problems(root)).hasSize(1);
        assertThat(p.file()).isEqualTo(root.resolve("capstan-app.yaml").toString());
        assertThat(p.field()).isEqualTo("servicePackages[0].name");
        assertThat(p.line()).isEqualTo(4);
        assertThat(p.column()).isEqualTo(11);
        assertThat(p.message()).isEqualTo("folder 'Other/' is missing from the package; create it beside capstan-app.yaml,"
                + " holding one folder per code package");
    }

    @Test
    void missingCodePackageFolder() throws IOException {
        Path root = folder(MANIFEST.replace("codePackage: Code}", "codePackage: Main}").replace("- name: Code", "- name: Main"));
        ManifestProblem p = problems(root).get(0);
        assertThat(p.field()).isEqualTo("servicePackages[0].codePackages[0].name");
        assertThat(p.line()).isEqualTo(9);
        assertThat(p.message()).isEqualTo("folder 'Pkg/Main/' is missing from the package; put the code package's files in it");
    }

    @Test
    void commandThatIsNotInTheCodePackage() throws IOException {
        Path root = folder(MANIFEST.replace("./bin/run.sh", "bin/start.sh"));
        ManifestProblem p = problems(root).get(0);
        assertThat(p.field()).isEqualTo("servicePackages[0].codePackages[0].process.command");
        assertThat(p.line()).isEqualTo(12);
        assertThat(p.column()).isEqualTo(20);
        assertThat(p.message()).isEqualTo("'bin/start.sh' is not in the code package: expected an executable file"
                + " Pkg/Code/bin/start.sh ('Pkg/Code/bin/start.sh' does not exist)");
    }

    @Test
    void commandThatIsNotExecutableSaysHowToFixIt() throws IOException {
        Path root = folder(MANIFEST);
        Files.setPosixFilePermissions(root.resolve("Pkg/Code/bin/run.sh"), PosixFilePermissions.fromString("rw-r--r--"));
        ManifestProblem p = problems(root).get(0);
        assertThat(p.line()).isEqualTo(12);
        assertThat(p.message()).startsWith("'./bin/run.sh' is not executable; run chmod +x Pkg/Code/bin/run.sh");
    }

    @Test
    void commandThatIsAFolder() throws IOException {
        Path root = folder(MANIFEST.replace("./bin/run.sh", "./bin"));
        assertThat(problems(root).get(0).message()).isEqualTo("'./bin' is a folder, not a program; name the file to run");
    }

    @Test
    void commandWithoutSlashThatShadowsAPackagedFile() throws IOException {
        Path root = folder(MANIFEST.replace("./bin/run.sh", "data.txt"));
        ManifestProblem p = problems(root).get(0);
        assertThat(p.message()).isEqualTo("'data.txt' has no '/', so it is looked up on PATH, but the code package holds"
                + " a file of that name; write command: ./data.txt to run the packaged one");
    }

    @Test
    void commandsOnPathAndAbsoluteCommandsAreNotLookedUpInThePackage() throws IOException {
        assertThat(ApplicationPackage.load(folder(MANIFEST.replace("./bin/run.sh", "python3"))).manifest()).isNotNull();
        Files.writeString(tmp.resolve("app/capstan-app.yaml"), MANIFEST.replace("./bin/run.sh", "/usr/bin/env"));
        assertThat(ApplicationPackage.load(tmp.resolve("app")).manifest()).isNotNull();
    }

    @Test
    void aCommandMayBeALinkToAnExecutableInsideThePackage() throws IOException {
        Path root = folder(MANIFEST.replace("./bin/run.sh", "./run"));
        Files.createSymbolicLink(root.resolve("Pkg/Code/run"), Path.of("bin/run.sh"));
        ApplicationPackage pkg = ApplicationPackage.load(root);
        assertThat(pkg.entry("Pkg/Code/run").orElseThrow().linkTarget()).isEqualTo("bin/run.sh");
    }

    @Test
    void everyLayoutProblemIsReportedAtOnce() throws IOException {
        String two = MANIFEST + """
                  - name: Second
                    version: 1.0.0
                    serviceTypes:
                      - {name: SecondType, kind: stateful, codePackage: Code}
                    codePackages:
                      - name: Code
                        version: 1.0.0
                        process: {command: ./go}
                """;
        Path root = folder(two.replace("./bin/run.sh", "./bin/missing.sh"));
        List<ManifestProblem> problems = problems(root);
        assertThat(problems).extracting(ManifestProblem::field)
                .containsExactly("servicePackages[0].codePackages[0].process.command", "servicePackages[1].name");
        assertThat(problems).extracting(ManifestProblem::line).containsExactly(12, 13);
    }

    @Test
    void manifestProblemsNameTheManifestFile() throws IOException {
        Path root = folder(MANIFEST.replace("kind: stateless", "kind: sometimes"));
        ManifestProblem p = problems(root).get(0);
        assertThat(p).hasToString(root.resolve("capstan-app.yaml") + ":7:32: servicePackages[0].serviceTypes[0].kind:"
                + " 'sometimes' is not a service kind; use stateless or stateful");
    }

    @Test
    void aFolderWithoutManifest() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("empty"));
        ManifestProblem p = problems(root).get(0);
        assertThat(p.file()).isEqualTo(root.toString());
        assertThat(p.message()).isEqualTo("has no capstan-app.yaml at its root; an application package holds capstan-app.yaml"
                + " and one folder per service package");
        assertThat(problems(tmp.resolve("nothing-here")).get(0).message()).startsWith("does not exist");
    }

    @Test
    void aLinkLeadingOutOfTheFolderIsRejected() throws IOException {
        Path root = folder(MANIFEST);
        Files.createSymbolicLink(root.resolve("Pkg/Code/passwd"), Path.of("/etc/passwd"));
        assertThat(problems(root).get(0).message()).isEqualTo("symbolic link 'Pkg/Code/passwd' points to the absolute path"
                + " '/etc/passwd'; links must point inside the package, with a relative path");
    }

    @Test
    void unsafeArchivesAreReportedAsProblemsOfTheArchive() throws IOException {
        Path file = tmp.resolve("evil.tar.gz");
        Files.write(file, Tars.tarGz(t -> t.file("capstan-app.yaml", MANIFEST).file("../../evil", "x")));
        ManifestProblem p = problems(file).get(0);
        assertThat(p).hasToString(file + ": entry '../../evil' contains '..'; package entries must stay inside the package");
    }

    @Test
    void theSizeLimitApplies() throws IOException {
        Path root = folder(MANIFEST);
        ManifestException e = catchThrowableOfType(ManifestException.class,
                () -> ApplicationPackage.load(root, new PackageLimits(10, 100)));
        assertThat(e.problems().get(0).message()).startsWith("the package holds more than 10 bytes of uncompressed content");
    }

    private static void touchEverything(Path root, FileTime time) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                Files.setLastModifiedTime(p, time);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(file).toString());
                Files.copy(file, target);
                Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(file));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Test
    void configAndDataPackageFoldersMustExistBesideTheCodePackages() throws IOException {
        Path root = folder(MANIFEST + """
                    configPackages:
                      - {name: Settings, version: 1.0.0}
                    dataPackages:
                      - {name: Static, version: 1.0.0}
                """);
        List<ManifestProblem> problems = problems(root);
        assertThat(problems).extracting(ManifestProblem::field)
                .containsExactly("servicePackages[0].configPackages[0].name", "servicePackages[0].dataPackages[0].name");
        assertThat(problems.get(0).message()).isEqualTo("folder 'Pkg/Settings/' is missing from the package; put the config"
                + " package's files in it, beside the code package folders");

        Files.createDirectories(root.resolve("Pkg/Settings"));
        Files.writeString(root.resolve("Pkg/Settings/app.conf"), "level=info\n");
        Files.writeString(root.resolve("Pkg/Static"), "a file, not a folder\n");
        assertThat(problems(root)).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("servicePackages[0].dataPackages[0].name");
            assertThat(p.message()).contains("('Pkg/Static' is a file)");
        });

        Files.delete(root.resolve("Pkg/Static"));
        Files.createDirectories(root.resolve("Pkg/Static"));
        ApplicationPackage pkg = ApplicationPackage.load(root);
        assertThat(pkg.manifest().servicePackages().get(0).configPackages()).hasSize(1);
    }
}
