package io.capstan.model.pkg;

import io.capstan.model.manifest.ApplicationTypeManifest;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.FilesPackageManifest;
import io.capstan.model.manifest.ContainerSpec;
import io.capstan.model.manifest.ManifestException;
import io.capstan.model.manifest.ManifestParser;
import io.capstan.model.manifest.ManifestProblem;
import io.capstan.model.manifest.ParameterSubstitution;
import io.capstan.model.manifest.ParsedManifest;
import io.capstan.model.manifest.ProcessSpec;
import io.capstan.model.manifest.ServicePackageManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An application package (DESIGN §9): {@code capstan-app.yaml} at the root and, per service package, a
 * folder of that name holding one folder per code package. Loaded from a folder or a {@code .tar.gz} (files at
 * the archive's root or inside one top-level folder), checked completely (manifest and layout), and held in
 * memory, so it can be written as a canonical archive whose {@link #digest()} identifies the content.
 *
 * <p>Layout rules: each service package folder and each code package folder exists; a relative
 * {@code process.command} containing '/' names an executable file inside the code package folder; a command
 * without '/' is looked up on PATH, so a file of that very name in the code package folder is reported (write
 * {@code ./name}); a container image exists in the code package folder; a {@code workingDir}, if present in
 * the package, is a folder (it is not required to exist: the agent creates it); each config and data package folder
 * exists beside the code package folders.
 */
public final class ApplicationPackage {

    private final String source;
    private final ParsedManifest parsed;
    private final SortedMap<String, PackageEntry> entries;
    private final long contentSize;
    private volatile byte[] archive;
    private volatile String digest;

    private ApplicationPackage(String source, ParsedManifest parsed, SortedMap<String, PackageEntry> entries) {
        this.source = source;
        this.parsed = parsed;
        this.entries = Collections.unmodifiableSortedMap(entries);
        this.contentSize = entries.values().stream().mapToLong(PackageEntry::size).sum();
    }

    /** {@link #load(Path, PackageLimits)} with the default limits. */
    public static ApplicationPackage load(Path folderOrArchive) throws IOException {
        return load(folderOrArchive, PackageLimits.DEFAULT);
    }

    /**
     * Loads and checks a package folder or archive (.tar.gz, .tgz or .tar).
     *
     * @throws ManifestException with every problem found: manifest, layout, or an unusable archive/folder
     *                           (then a single problem naming the path)
     * @throws IOException       when reading fails
     */
    public static ApplicationPackage load(Path folderOrArchive, PackageLimits limits) throws IOException {
        String name = folderOrArchive.toString();
        if (Files.isDirectory(folderOrArchive)) {
            List<PackageEntry> list;
            try {
                list = PackageArchive.readFolder(folderOrArchive, limits);
            } catch (PackageException e) {
                throw new ManifestException(new ManifestProblem(name, 0, 0, "", e.getMessage()));
            }
            return check(name, folderOrArchive.resolve(ManifestParser.FILE_NAME).toString(), list, false);
        }
        if (!Files.exists(folderOrArchive, LinkOption.NOFOLLOW_LINKS) && !Files.exists(folderOrArchive)) {
            throw new ManifestException(new ManifestProblem(name, 0, 0, "",
                    "does not exist; give an application package folder (holding capstan-app.yaml) or a .tar.gz of one"));
        }
        try (InputStream in = Files.newInputStream(folderOrArchive)) {
            return read(in, name, limits);
        }
    }

    /** {@link #read(InputStream, String, PackageLimits)} with the default limits. */
    public static ApplicationPackage read(InputStream archive, String sourceName) throws IOException {
        return read(archive, sourceName, PackageLimits.DEFAULT);
    }

    /**
     * Reads and checks a package archive from a stream (e.g. an upload); {@code sourceName} names it in problems.
     *
     * @throws ManifestException with every problem found
     */
    public static ApplicationPackage read(InputStream archive, String sourceName, PackageLimits limits) throws IOException {
        List<PackageEntry> list;
        try {
            list = PackageArchive.read(archive, limits);
        } catch (PackageException e) {
            throw new ManifestException(new ManifestProblem(sourceName, 0, 0, "", e.getMessage()));
        }
        try {
            list = stripTopFolder(list);
        } catch (PackageException e) {
            throw new ManifestException(new ManifestProblem(sourceName, 0, 0, "", e.getMessage()));
        }
        return check(sourceName, sourceName + "!/" + ManifestParser.FILE_NAME, list, true);
    }

    /** What {@link #inspect} learned of an archive: its checked manifest, and how its files are laid out. */
    public record Inspected(ApplicationTypeManifest manifest, boolean filesAtRoot, long contentBytes) {
    }

    /**
     * Checks an archive file completely (manifest and layout), as {@link #read} does, in constant memory: file
     * contents are read and dropped, only the manifest is kept (see {@link PackageArchive#list}). For uploads of
     * any size.
     *
     * @throws ManifestException with every problem found
     */
    public static Inspected inspect(Path archive, String sourceName, PackageLimits limits) throws IOException {
        List<PackageEntry> list;
        try (InputStream in = Files.newInputStream(archive)) {
            list = PackageArchive.list(in, limits, ManifestParser.FILE_NAME);
        } catch (PackageException e) {
            throw new ManifestException(new ManifestProblem(sourceName, 0, 0, "", e.getMessage()));
        }
        boolean atRoot = list.stream().anyMatch(e -> e.path().equals(ManifestParser.FILE_NAME));
        try {
            list = stripTopFolder(list);
        } catch (PackageException e) {
            throw new ManifestException(new ManifestProblem(sourceName, 0, 0, "", e.getMessage()));
        }
        ApplicationPackage pkg = check(sourceName, sourceName + "!/" + ManifestParser.FILE_NAME, list, true);
        return new Inspected(pkg.manifest(), atRoot, pkg.contentSize);
    }

    /** Accepts archives whose files sit inside one top-level folder (as {@code tar czf app.tgz app/} makes). */
    private static List<PackageEntry> stripTopFolder(List<PackageEntry> list) {
        boolean atRoot = list.stream().anyMatch(e -> e.path().equals(ManifestParser.FILE_NAME));
        if (atRoot || list.isEmpty()) {
            return list;
        }
        String top = list.get(0).path().split("/")[0];
        boolean single = list.stream().allMatch(e -> e.path().equals(top) || e.path().startsWith(top + "/"));
        boolean hasManifest = list.stream().anyMatch(e -> e.path().equals(top + "/" + ManifestParser.FILE_NAME)
                && e.type() == PackageEntry.Type.FILE);
        if (!single || !hasManifest) {
            return list;
        }
        List<PackageEntry> out = new ArrayList<>();
        Map<String, PackagePaths.Node> tree = new HashMap<>();
        tree.put("", new PackagePaths.Node(PackageEntry.Type.DIRECTORY, null, true));
        for (PackageEntry e : list) {
            if (e.path().equals(top)) {
                continue;
            }
            PackageEntry moved = e.withPath(e.path().substring(top.length() + 1));
            out.add(moved);
            tree.put(moved.path(), node(moved));
        }
        PackagePaths.checkLinks(tree);
        return out;
    }

    private static PackagePaths.Node node(PackageEntry e) {
        return new PackagePaths.Node(e.type(), e.linkTarget(), e.executable());
    }

    private static ApplicationPackage check(String source, String manifestName, List<PackageEntry> list, boolean archive) {
        TreeMap<String, PackageEntry> entries = new TreeMap<>();
        Map<String, PackagePaths.Node> tree = new HashMap<>();
        tree.put("", new PackagePaths.Node(PackageEntry.Type.DIRECTORY, null, true));
        for (PackageEntry e : list) {
            entries.put(e.path(), e);
            tree.put(e.path(), node(e));
        }
        PackagePaths.Resolution m = PackagePaths.resolve(tree, ManifestParser.FILE_NAME);
        if (!m.ok() || m.node().type() != PackageEntry.Type.FILE) {
            throw new ManifestException(new ManifestProblem(source, 0, 0, "", "has no " + ManifestParser.FILE_NAME + " at its root"
                    + (archive ? " (nor inside a single top-level folder)" : "")
                    + "; an application package holds capstan-app.yaml and one folder per service package"));
        }
        String yaml;
        byte[] manifestBytes = entries.get(m.path()).contentUnsafe();
        if (manifestBytes == null) {
            throw new ManifestException(new ManifestProblem(manifestName, 0, 0, "", "must be a file at the package's root, not a link"));
        }
        try {
            yaml = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(manifestBytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ManifestException(new ManifestProblem(manifestName, 0, 0, "", "is not UTF-8 text; save it as UTF-8"));
        }
        ParsedManifest parsed = ManifestParser.parseWithPositions(yaml, manifestName);
        List<ManifestProblem> problems = checkLayout(parsed, tree);
        if (!problems.isEmpty()) {
            throw new ManifestException(problems);
        }
        return new ApplicationPackage(source, parsed, entries);
    }

    private static List<ManifestProblem> checkLayout(ParsedManifest parsed, Map<String, PackagePaths.Node> tree) {
        List<ManifestProblem> problems = new ArrayList<>();
        ApplicationTypeManifest manifest = parsed.manifest();
        for (int i = 0; i < manifest.servicePackages().size(); i++) {
            ServicePackageManifest sp = manifest.servicePackages().get(i);
            String spField = "servicePackages[" + i + "]";
            if (!isFolder(tree, sp.name())) {
                problems.add(parsed.problem(spField + ".name", "folder '" + sp.name() + "/' is missing from the package"
                        + describeWhatIsThere(tree, sp.name()) + "; create it beside capstan-app.yaml, holding one folder per code package"));
                continue;
            }
            for (FilesPackageManifest.Kind kind : FilesPackageManifest.Kind.values()) {
                List<FilesPackageManifest> files = sp.filesPackages(kind);
                for (int j = 0; j < files.size(); j++) {
                    String dir = sp.name() + "/" + files.get(j).name();
                    if (!isFolder(tree, dir)) {
                        problems.add(parsed.problem(spField + "." + kind.field() + "[" + j + "].name", "folder '" + dir
                                + "/' is missing from the package" + describeWhatIsThere(tree, dir) + "; put the " + kind.word()
                                + " package's files in it, beside the code package folders"));
                    }
                }
            }
            for (int j = 0; j < sp.codePackages().size(); j++) {
                CodePackageManifest cp = sp.codePackages().get(j);
                String cpField = spField + ".codePackages[" + j + "]";
                String cpDir = sp.name() + "/" + cp.name();
                if (!isFolder(tree, cpDir)) {
                    problems.add(parsed.problem(cpField + ".name", "folder '" + cpDir + "/' is missing from the package"
                            + describeWhatIsThere(tree, cpDir) + "; put the code package's files in it"));
                    continue;
                }
                if (cp.run() instanceof ProcessSpec process) {
                    checkCommand(parsed, tree, problems, cpField + ".process.command", cpDir, process.command());
                    String wd = process.workingDir();
                    if (wd != null && ParameterSubstitution.REFERENCE.matcher(wd).results().findAny().isEmpty()) {
                        PackagePaths.Resolution r = PackagePaths.resolve(tree, cpDir + "/" + wd);
                        if (r.ok() && r.node().type() != PackageEntry.Type.DIRECTORY) {
                            problems.add(parsed.problem(cpField + ".process.workingDir", "'" + wd + "' is a file in the code package,"
                                    + " not a folder; name a folder (it is created if missing)"));
                        }
                    }
                }
                if (cp.run() instanceof ContainerSpec container && !hasReference(container.image())) {
                    PackagePaths.Resolution r = PackagePaths.resolve(tree, cpDir + "/" + container.image());
                    if (!r.ok()) {
                        problems.add(parsed.problem(cpField + ".container.image", "image '" + container.image()
                                + "' is not in the code package: expected the OCI layout folder or .tar " + cpDir + "/"
                                + container.image()));
                    }
                }
            }
        }
        return problems;
    }

    private static void checkCommand(ParsedManifest parsed, Map<String, PackagePaths.Node> tree, List<ManifestProblem> problems,
                                     String field, String cpDir, String command) {
        if (command == null || command.startsWith("/") || hasReference(command)) {
            return;
        }
        if (!command.contains("/")) {
            PackagePaths.Resolution r = PackagePaths.resolve(tree, cpDir + "/" + command);
            if (r.ok() && r.node().type() == PackageEntry.Type.FILE) {
                problems.add(parsed.problem(field, "'" + command + "' has no '/', so it is looked up on PATH, but the code package"
                        + " holds a file of that name; write command: ./" + command + " to run the packaged one"));
            }
            return;
        }
        String rel = cpDir + "/" + command;
        PackagePaths.Resolution r = PackagePaths.resolve(tree, rel);
        String shown = rel.replace("/./", "/");
        if (!r.ok()) {
            problems.add(parsed.problem(field, "'" + command + "' is not in the code package: expected an executable file "
                    + shown + " (" + r.failure() + ")"));
        } else if (r.node().type() != PackageEntry.Type.FILE) {
            problems.add(parsed.problem(field, "'" + command + "' is a folder, not a program; name the file to run"));
        } else if (!r.node().executable()) {
            problems.add(parsed.problem(field, "'" + command + "' is not executable; run chmod +x " + r.path()
                    + " (with git: git update-index --chmod=+x " + r.path() + "), or run it through its interpreter,"
                    + " e.g. command: /bin/sh with args: [" + command + "]"));
        }
    }

    private static boolean hasReference(String text) {
        return text != null && ParameterSubstitution.REFERENCE.matcher(text).find();
    }

    private static boolean isFolder(Map<String, PackagePaths.Node> tree, String path) {
        PackagePaths.Resolution r = PackagePaths.resolve(tree, path);
        return r.ok() && r.node().type() == PackageEntry.Type.DIRECTORY;
    }

    private static String describeWhatIsThere(Map<String, PackagePaths.Node> tree, String path) {
        PackagePaths.Node n = tree.get(path);
        if (n == null) {
            return "";
        }
        return n.type() == PackageEntry.Type.FILE ? " ('" + path + "' is a file)" : " ('" + path + "' is a link that leads to no folder)";
    }

    /** The checked manifest. */
    public ApplicationTypeManifest manifest() {
        return parsed.manifest();
    }

    /** The manifest with where each field was written (for later problems at real lines). */
    public ParsedManifest parsedManifest() {
        return parsed;
    }

    /** Where the package was loaded from (a path or the name given to {@link #read}). */
    public String source() {
        return source;
    }

    /** Every file, folder and link, sorted by path, parents before children. */
    public List<PackageEntry> entries() {
        return List.copyOf(entries.values());
    }

    public Optional<PackageEntry> entry(String path) {
        return Optional.ofNullable(entries.get(path));
    }

    /** Total bytes of file content (what the size limit counts). */
    public long contentSize() {
        return contentSize;
    }

    /** The canonical archive: the same content always gives the same bytes. */
    public byte[] toTarGz() {
        return archiveBytes().clone();
    }

    public void writeTarGz(OutputStream out) throws IOException {
        out.write(archiveBytes());
    }

    /** Size in bytes of {@link #toTarGz()}. */
    public long archiveSize() {
        return archiveBytes().length;
    }

    /** Hex SHA-256 of {@link #toTarGz()}: the package's content address. */
    public String digest() {
        String d = digest;
        if (d == null) {
            d = PackageArchive.sha256(archiveBytes());
            digest = d;
        }
        return d;
    }

    private byte[] archiveBytes() {
        byte[] a = archive;
        if (a == null) {
            a = PackageArchive.toBytes(entries.values());
            archive = a;
        }
        return a;
    }

    @Override
    public String toString() {
        return "ApplicationPackage[" + manifest().applicationType() + " " + manifest().version() + " from " + source + "]";
    }
}
