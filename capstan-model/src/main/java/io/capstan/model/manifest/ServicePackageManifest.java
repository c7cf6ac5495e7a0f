package io.capstan.model.manifest;

import java.util.List;
import java.util.Optional;

/**
 * A versioned unit of deployment: code packages, the service types they register, endpoints, and the config and data
 * packages (folders of files) its code packages read.
 */
public record ServicePackageManifest(
        String name,
        String version,
        List<ServiceTypeManifest> serviceTypes,
        List<CodePackageManifest> codePackages,
        List<EndpointManifest> endpoints,
        List<FilesPackageManifest> configPackages,
        List<FilesPackageManifest> dataPackages) {

    public ServicePackageManifest {
        serviceTypes = serviceTypes == null ? List.of() : List.copyOf(serviceTypes);
        codePackages = codePackages == null ? List.of() : List.copyOf(codePackages);
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        configPackages = configPackages == null ? List.of() : List.copyOf(configPackages);
        dataPackages = dataPackages == null ? List.of() : List.copyOf(dataPackages);
    }

    /** A service package without config or data packages. */
    public ServicePackageManifest(String name, String version, List<ServiceTypeManifest> serviceTypes,
                                  List<CodePackageManifest> codePackages, List<EndpointManifest> endpoints) {
        this(name, version, serviceTypes, codePackages, endpoints, null, null);
    }

    /** The config packages or the data packages. */
    public List<FilesPackageManifest> filesPackages(FilesPackageManifest.Kind kind) {
        return kind == FilesPackageManifest.Kind.CONFIG ? configPackages : dataPackages;
    }

    public Optional<ServiceTypeManifest> serviceType(String name) {
        return serviceTypes.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public Optional<CodePackageManifest> codePackage(String name) {
        return codePackages.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The sum of the code packages' resource requests: what one activation of this package needs. */
    public ResourceRequest totalResources() {
        double cpu = 0;
        long mem = 0;
        for (CodePackageManifest c : codePackages) {
            cpu += c.resources().cpu();
            mem += c.resources().memoryMiB();
        }
        return new ResourceRequest(cpu, mem);
    }
}
