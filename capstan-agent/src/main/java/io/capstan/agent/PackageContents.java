package io.capstan.agent;

import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.FilesPackageManifest;
import io.capstan.model.manifest.ServicePackageManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The content digest ({@link FolderDigests}) of each code, config and data package folder of one service package, by
 * package name: what tells an unchanged package in a new application version from a changed one. Recorded in
 * activation.json, since the package the running copy came from may be gone from the cache by the time it is compared.
 */
public record PackageContents(Map<String, String> codePackages, Map<String, String> configPackages,
                              Map<String, String> dataPackages) {

    public PackageContents {
        codePackages = codePackages == null ? Map.of() : Map.copyOf(codePackages);
        configPackages = configPackages == null ? Map.of() : Map.copyOf(configPackages);
        dataPackages = dataPackages == null ? Map.of() : Map.copyOf(dataPackages);
    }

    /** The config or the data packages' digests. */
    Map<String, String> files(FilesPackageManifest.Kind kind) {
        return kind == FilesPackageManifest.Kind.CONFIG ? configPackages : dataPackages;
    }

    /** The digests of {@code sp}'s folders in the package extracted at {@code packageRoot} under {@code packageDigest}. */
    static PackageContents of(FolderDigests digests, String packageDigest, Path packageRoot, ServicePackageManifest sp)
            throws IOException {
        Map<String, String> code = new LinkedHashMap<>();
        for (CodePackageManifest cp : sp.codePackages()) {
            code.put(cp.name(), digests.of(packageDigest, packageRoot, sp.name() + "/" + cp.name()));
        }
        Map<String, String> config = new LinkedHashMap<>();
        for (FilesPackageManifest f : sp.configPackages()) {
            config.put(f.name(), digests.of(packageDigest, packageRoot, sp.name() + "/" + f.name()));
        }
        Map<String, String> data = new LinkedHashMap<>();
        for (FilesPackageManifest f : sp.dataPackages()) {
            data.put(f.name(), digests.of(packageDigest, packageRoot, sp.name() + "/" + f.name()));
        }
        return new PackageContents(code, config, data);
    }
}
