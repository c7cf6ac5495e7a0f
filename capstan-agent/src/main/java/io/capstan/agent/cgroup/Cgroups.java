package io.capstan.agent.cgroup;

import io.capstan.model.manifest.ResourceRequest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's cgroups, laid out {@code <controller root>/capstan/<node scope>/<activation>/<code package>} (the scope is the node name plus a digest of the agent's data directory), with the
 * code package's resources as limits. Detected once: v2 when the root holds cgroup.controllers, else v1
 * (memory, cpu, pids); when the tree is not writable the agent runs without cgroups and says so.
 */
public final class Cgroups {

    private static final Logger log = LoggerFactory.getLogger(Cgroups.class);
    private static final String TOP = "capstan";
    private static final long CFS_PERIOD_US = 100_000;
    private static final List<String> V1_CONTROLLERS = List.of("memory", "cpu", "cpuacct", "pids");
    /** Every code package gets a pids limit: a fork bomb stays inside its own cgroup. */
    public static final long PIDS_LIMIT = 4096;
    private static final List<String> V2_CONTROLLERS = List.of("memory", "cpu", "pids");

    private final CgroupMode mode;
    private final String node;
    /** v1: one root per controller (memory first); v2: the unified root. */
    private final List<Path> roots;
    private final String notEnforcedReason;

    private Cgroups(CgroupMode mode, String node, List<Path> roots, String notEnforcedReason) {
        this.mode = mode;
        this.node = node;
        this.roots = List.copyOf(roots);
        this.notEnforcedReason = notEnforcedReason;
    }

    /** Finds the hierarchy under {@code root} (normally /sys/fs/cgroup) and checks that this node's part is writable. */
    public static Cgroups detect(Path root, String node) {
        if (root == null) {
            return none(node, "cgroups disabled by configuration");
        }
        Cgroups found;
        if (Files.isRegularFile(root.resolve("cgroup.controllers"))) {
            found = new Cgroups(CgroupMode.V2, node, List.of(root), null);
        } else if (Files.isDirectory(root.resolve("memory"))) {
            List<Path> roots = new ArrayList<>();
            for (String c : V1_CONTROLLERS) {
                if (Files.isDirectory(root.resolve(c))) {
                    roots.add(root.resolve(c));
                }
            }
            found = new Cgroups(CgroupMode.V1, node, roots, null);
        } else {
            return none(node, "no cgroup hierarchy under " + root);
        }
        try {
            found.probe();
            return found;
        } catch (IOException | RuntimeException e) {
            return none(node, "cgroups under " + root + " are not writable (" + e.getMessage() + ")");
        }
    }

    /** No cgroups: processes run unlimited; the reason is logged once and shown in the agent's status. */
    public static Cgroups none(String node, String reason) {
        log.warn("node {}: resource limits are not enforced: {}", node, reason);
        return new Cgroups(CgroupMode.NONE, node, List.of(), reason);
    }

    public CgroupMode mode() {
        return mode;
    }

    public boolean enforced() {
        return mode != CgroupMode.NONE;
    }

    /** Why limits are not enforced, or null when they are. */
    public String notEnforcedReason() {
        return notEnforcedReason;
    }

    /** Creates (or reuses) the code package's cgroup and writes its limits; 0 means unlimited. */
    public CodePackageCgroup create(String activation, String codePackage, ResourceRequest limits) throws IOException {
        if (!enforced()) {
            throw new IllegalStateException("cgroups are not enforced on this node");
        }
        List<Path> dirs = new ArrayList<>();
        for (Path root : roots) {
            Path dir = leaf(root, activation, codePackage);
            if (mode == CgroupMode.V2) {
                enableControllers(root, dir.getParent());
            }
            CgroupFiles.createDirectories(dir);
            dirs.add(dir);
        }
        CodePackageCgroup cgroup = new CodePackageCgroup(dirs);
        try {
            writeLimits(dirs, limits);
        } catch (IOException e) {
            cgroup.remove();
            throw e;
        }
        return cgroup;
    }

    /** The code package's cgroup as a container runtime's cgroupsPath (from the hierarchy root), or null without cgroups. */
    public String path(String activation, String codePackage) {
        return enforced() ? "/" + TOP + "/" + node + "/" + activation + "/" + codePackage : null;
    }

    /** The code package's cgroup if it exists (an adopted process's), without touching its limits. */
    public CodePackageCgroup existing(String activation, String codePackage) {
        if (!enforced()) {
            return null;
        }
        List<Path> dirs = new ArrayList<>();
        for (Path root : roots) {
            Path dir = leaf(root, activation, codePackage);
            if (Files.isDirectory(dir)) {
                dirs.add(dir);
            }
        }
        return dirs.isEmpty() ? null : new CodePackageCgroup(dirs);
    }

    /**
     * Removes every cgroup of an agent's scope whose processes are gone: what an agent killed outright leaves
     * behind, for whoever cleans up after it (tests, benchmarks). Non-empty cgroups stay.
     */
    public static void removeLeftovers(Path root, String scope) throws IOException {
        Cgroups cgroups = detect(root, scope);
        for (String activation : cgroups.activations()) {
            for (CodePackageCgroup codePackage : cgroups.codePackagesOf(activation)) {
                codePackage.remove();
            }
            cgroups.removeActivation(activation);
        }
    }

    /** Removes the activation's directory and then this node's and the top one if they became empty. */
    public void removeActivation(String activation) {
        // A container runtime creates the cgroup in every v1 hierarchy (freezer, devices, ...) and leaves its parents.
        for (Path root : runtimeRoots()) {
            Path dir = root.resolve(TOP).resolve(node).resolve(activation);
            if (Files.isDirectory(dir)) {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
                    children.forEach(CgroupFiles::removeIfEmpty);
                } catch (IOException e) {
                    log.warn("cannot list {}: {}", dir, e.toString());
                }
            }
            CgroupFiles.removeIfEmpty(dir);
            if (CgroupFiles.removeIfEmpty(dir.getParent())) {
                CgroupFiles.removeIfEmpty(root.resolve(TOP));
            }
        }
        for (Path root : roots) {
            Path nodeDir = root.resolve(TOP).resolve(node);
            CgroupFiles.removeIfEmpty(nodeDir.resolve(activation));
            if (CgroupFiles.removeIfEmpty(nodeDir)) {
                CgroupFiles.removeIfEmpty(root.resolve(TOP));
            }
        }
    }

    /** v1: every mounted hierarchy beside the three limited ones; v2: none beyond the root. */
    private List<Path> runtimeRoots() {
        if (mode != CgroupMode.V1 || roots.isEmpty()) {
            return List.of();
        }
        List<Path> all = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(roots.getFirst().getParent(),
                d -> Files.isDirectory(d) && !Files.isSymbolicLink(d) && Files.exists(d.resolve("cgroup.procs")))) {
            dirs.forEach(d -> {
                if (!roots.contains(d)) {
                    all.add(d);
                }
            });
        } catch (IOException e) {
            log.warn("cannot list the cgroup hierarchies: {}", e.toString());
        }
        return all;
    }

    /** The activation directories that exist for this node (to find ones no record explains). */
    public Set<String> activations() throws IOException {
        Set<String> names = new java.util.TreeSet<>();
        for (Path root : roots) {
            Path nodeDir = root.resolve(TOP).resolve(node);
            if (!Files.isDirectory(nodeDir)) {
                continue;
            }
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(nodeDir, Files::isDirectory)) {
                dirs.forEach(d -> names.add(d.getFileName().toString()));
            }
        }
        return names;
    }

    /** The code package cgroups of one activation directory (for sweeping ones no record explains). */
    public List<CodePackageCgroup> codePackagesOf(String activation) throws IOException {
        Set<String> names = new java.util.TreeSet<>();
        for (Path root : roots) {
            Path dir = root.resolve(TOP).resolve(node).resolve(activation);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dir, Files::isDirectory)) {
                dirs.forEach(d -> names.add(d.getFileName().toString()));
            }
        }
        List<CodePackageCgroup> result = new ArrayList<>();
        for (String name : names) {
            CodePackageCgroup c = existing(activation, name);
            if (c != null) {
                result.add(c);
            }
        }
        return result;
    }

    private Path leaf(Path root, String activation, String codePackage) {
        return root.resolve(TOP).resolve(node).resolve(activation).resolve(codePackage);
    }

    /** Creates this node's directory (and removes it again if empty), proving we may write the tree. */
    private void probe() throws IOException {
        for (Path root : roots) {
            Path nodeDir = root.resolve(TOP).resolve(node);
            if (mode == CgroupMode.V2) {
                enableControllers(root, nodeDir);
            }
            CgroupFiles.createDirectories(nodeDir);
            if (CgroupFiles.removeIfEmpty(nodeDir)) {
                CgroupFiles.removeIfEmpty(root.resolve(TOP));
            }
        }
    }

    /**
     * v2: a controller works in a cgroup only when every ancestor enables it in cgroup.subtree_control.
     * Creates the ancestors from {@code root} down to {@code parent} and enables what each one offers.
     */
    private void enableControllers(Path root, Path parent) throws IOException {
        List<Path> chain = new ArrayList<>();
        for (Path p = parent; p != null && p.startsWith(root); p = p.getParent()) {
            chain.addFirst(p);
        }
        for (Path dir : chain) {
            CgroupFiles.createDirectories(dir);
            String available = " " + CgroupFiles.read(dir.resolve("cgroup.controllers")) + " ";
            String enabled = " " + CgroupFiles.read(dir.resolve("cgroup.subtree_control")) + " ";
            for (String c : V2_CONTROLLERS) {
                if (available.contains(" " + c + " ") && !enabled.contains(" " + c + " ")) {
                    CgroupFiles.write(dir.resolve("cgroup.subtree_control"), "+" + c);
                }
            }
        }
    }

    /** Only what is asked for is written: a new cgroup is unlimited, which is what 0 means. */
    private void writeLimits(List<Path> dirs, ResourceRequest limits) throws IOException {
        long memoryBytes = limits.memoryMiB() > 0 ? limits.memoryMiB() * 1024 * 1024 : 0;
        long quotaUs = limits.cpu() > 0 ? Math.max(1000, Math.round(limits.cpu() * CFS_PERIOD_US)) : 0;
        for (Path dir : dirs) {
            if (Files.exists(dir.resolve("pids.max"))) {
                CgroupFiles.write(dir.resolve("pids.max"), Long.toString(PIDS_LIMIT));
            }
            if (mode == CgroupMode.V2) {
                if (memoryBytes > 0) {
                    CgroupFiles.write(dir.resolve("memory.max"), Long.toString(memoryBytes));
                }
                if (quotaUs > 0) {
                    CgroupFiles.write(dir.resolve("cpu.max"), quotaUs + " " + CFS_PERIOD_US);
                }
            } else if (Files.exists(dir.resolve("memory.limit_in_bytes"))) {
                if (memoryBytes > 0) {
                    CgroupFiles.write(dir.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
                }
            } else if (Files.exists(dir.resolve("cpu.cfs_quota_us"))) {
                if (quotaUs > 0) {
                    CgroupFiles.write(dir.resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_US));
                    CgroupFiles.write(dir.resolve("cpu.cfs_quota_us"), Long.toString(quotaUs));
                }
            }
        }
    }
}
