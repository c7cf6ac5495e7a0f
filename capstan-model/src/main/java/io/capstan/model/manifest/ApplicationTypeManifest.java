package io.capstan.model.manifest;

import io.capstan.model.health.ApplicationHealthPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The parsed {@code capstan-app.yaml}: a named, versioned bundle of service packages and default services. */
public record ApplicationTypeManifest(
        String applicationType,
        String version,
        Map<String, String> parameters,
        List<ServicePackageManifest> servicePackages,
        List<DefaultServiceManifest> defaultServices,
        ApplicationHealthPolicy healthPolicy) {

    public ApplicationTypeManifest {
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        servicePackages = servicePackages == null ? List.of() : List.copyOf(servicePackages);
        defaultServices = defaultServices == null ? List.of() : List.copyOf(defaultServices);
        healthPolicy = healthPolicy == null ? ApplicationHealthPolicy.DEFAULT : healthPolicy;
    }

    public Optional<ServicePackageManifest> servicePackage(String name) {
        return servicePackages.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The service package whose code registers {@code serviceType}. */
    public Optional<ServicePackageManifest> packageOfServiceType(String serviceType) {
        return servicePackages.stream().filter(p -> p.serviceType(serviceType).isPresent()).findFirst();
    }

    public Optional<ServiceTypeManifest> serviceType(String name) {
        return servicePackages.stream().flatMap(p -> p.serviceType(name).stream()).findFirst();
    }

    /**
     * The load balancing the manifest asks for a service named {@code service} of type {@code serviceType}: its
     * default service's, else its type's; null when neither says.
     */
    public io.capstan.model.LoadBalancing loadBalancingOf(String service, String serviceType) {
        for (DefaultServiceManifest d : defaultServices) {
            if (d.name().equals(service) && serviceType.equals(d.spec().serviceType()) && d.loadBalancing() != null) {
                return d.loadBalancing();
            }
        }
        return serviceType(serviceType).map(ServiceTypeManifest::loadBalancing).orElse(null);
    }
}
