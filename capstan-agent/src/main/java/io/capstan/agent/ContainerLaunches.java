package io.capstan.agent;

import io.capstan.agent.image.Digest;
import io.capstan.agent.image.ImageConfig;
import io.capstan.agent.image.ImageReference;
import io.capstan.agent.image.ImageStore;
import io.capstan.agent.image.RegistryPuller;
import io.capstan.agent.image.UnpackedImage;
import io.capstan.agent.process.ContainerLaunch;
import io.capstan.model.manifest.ContainerSpec;
import io.capstan.model.manifest.FilesPackageManifest;
import io.capstan.model.manifest.ServicePackageManifest;
import io.capstan.model.manifest.ResourceRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a container code package into what its bundle holds: the image's entrypoint with the manifest's args (or
 * the image's cmd), the image's environment under the manifest's and Capstan's, and the activation's folders at
 * fixed places inside ({@code /capstan/code} read-only, {@code /capstan/work} and {@code /capstan/log} writable, and the
 * config and data packages read-only under {@code /capstan/config} and {@code /capstan/data}), which the
 * {@code CAPSTAN_*_DIR} variables then name.
 */
final class ContainerLaunches {

    static final String CODE = "/capstan/code";
    static final String WORK = "/capstan/work";
    static final String LOG = "/capstan/log";
    /** Where a kind of files package is mounted: {@code /capstan/config}, {@code /capstan/data}. */
    static String filesRoot(FilesPackageManifest.Kind kind) {
        return "/capstan/" + kind.word();
    }
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private ContainerLaunches() {
    }

    /**
     * The image a manifest names: a digest already on the node, an OCI layout folder or tar in the package, or a
     * registry reference (pulled).
     */
    static UnpackedImage resolveImage(ImageStore images, RegistryPuller registry, String image, Path codePackageDir)
            throws IOException {
        if (image.startsWith("sha256:")) {
            UnpackedImage found = images.find(Digest.parse(image, "container.image"));
            if (found == null) {
                throw new IOException("container.image " + image + " is not on this node; pull it first (capstan image pull)");
            }
            return found;
        }
        Path source = codePackageDir.resolve(image).normalize();
        if (!Files.exists(source) && ImageReference.looksLikeReference(image)) {
            try {
                return registry.pull(ImageReference.parse(image));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("pull of " + image + " interrupted");
            }
        }
        if (!source.startsWith(codePackageDir) || !Files.exists(source)) {
            throw new IOException("container.image " + image + " is neither an OCI layout folder nor an image .tar in the"
                    + " code package folder, nor a digest on this node");
        }
        return images.unpack(source);
    }

    static ContainerLaunch of(String containerId, Path bundle, UnpackedImage image, ContainerSpec container,
                              Map<String, String> capstanEnv, String hostname, Path codeDir, Path workDir, Path logDir,
                              ResourceRequest limits, String cgroupsPath, List<Integer> endpointPorts,
                              ServicePackageManifest servicePackage, ActivationPaths paths) throws IOException {
        ImageConfig config = image.config();
        List<String> args = new ArrayList<>(config.entrypoint());
        args.addAll(container.args().isEmpty() ? config.cmd() : container.args());
        if (args.isEmpty()) {
            throw new IOException("image " + image.digest() + " has no entrypoint or cmd: set container.args in the manifest");
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        for (String kv : config.env()) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        env.putAll(capstanEnv);
        env.put("CAPSTAN_WORK_DIR", WORK);
        env.put("CAPSTAN_LOG_DIR", LOG);
        env.put("CAPSTAN_REPLICAS_FILE", WORK + "/replicas.json");
        List<ContainerLaunch.BindMount> mounts = new ArrayList<>(List.of(new ContainerLaunch.BindMount(codeDir, CODE, true),
                new ContainerLaunch.BindMount(workDir, WORK, false), new ContainerLaunch.BindMount(logDir, LOG, false)));
        for (FilesPackageManifest.Kind kind : FilesPackageManifest.Kind.values()) {
            List<FilesPackageManifest> packages = servicePackage.filesPackages(kind);
            if (!packages.isEmpty()) {
                // The whole folder, links and versions: a link swapped by a refresh is seen inside at once.
                mounts.add(new ContainerLaunch.BindMount(paths.files(kind), filesRoot(kind), true));
                packages.forEach(f -> env.put(kind.directoryVariable(f.name()), filesRoot(kind) + "/" + f.name()));
            }
        }
        int uid = 0;
        int gid = 0;
        if (config.user() != null && !config.user().isBlank()) {
            String[] parts = config.user().split(":", 2);
            try {
                uid = Integer.parseInt(parts[0]);
                gid = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            } catch (NumberFormatException e) {
                throw new IOException("image " + image.digest() + " runs as user '" + config.user()
                        + "'; only numeric uid[:gid] users are supported");
            }
        }
        String cwd = config.workingDir() == null || config.workingDir().isBlank() ? "/" : config.workingDir();
        return new ContainerLaunch(containerId, bundle, image.rootfs(), args, env, cwd, uid, gid, hostname, mounts,
                limits, cgroupsPath, container.privateNetwork(), container.privateNetwork() ? endpointPorts : List.of(),
                container.userNamespace());
    }
}
