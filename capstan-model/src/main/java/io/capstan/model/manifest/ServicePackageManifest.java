package io.capstan.model.manifest;

import java.util.List;
import java.util.Optional;

/** A versioned unit of deployment: code packages, the service types they register, and endpoints. */
public record ServicePackageManifest(
        String name,
        String version,
        List<ServiceTypeManifest> serviceTypes,
        List<CodePackageManifest> codePackages,
        List<EndpointManifest> endpoints) {

    public ServicePackageManifest {
        serviceTypes = serviceTypes == null ? List.of() : List.copyOf(serviceTypes);
        codePackages = codePackages == null ? List.of() : List.copyOf(codePackages);
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
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
