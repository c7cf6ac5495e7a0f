package io.capstan.server;

import io.capstan.state.ClusterCommand;
import io.capstan.model.ServiceName;
import io.capstan.model.ServiceSpec;
import io.capstan.model.ServiceSpecRules;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.manifest.ApplicationTypeManifest;
import io.capstan.model.manifest.ServicePackageManifest;
import io.capstan.model.manifest.ServiceTypeManifest;
import io.capstan.placement.PlacementConstraint;
import io.capstan.server.api.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Turns a requested service (name + spec) into the {@link ServiceRecord} the state stores: checks
 * the spec against its application type, resolves the hosting service package, and stamps
 * generated partition ids. Rejects anything invalid with every problem at once.
 */
public final class ServiceDefinitions {

    private final Supplier<UUID> ids;

    public ServiceDefinitions(Supplier<UUID> ids) {
        this.ids = ids;
    }

    /**
     * A new service, or an {@link ApiException} listing what is wrong. Its partition ids are derived from a
     * random seed drawn here, so the command stays small whatever the partition count.
     */
    public ClusterCommand.NewService define(ApplicationRecord app, ApplicationTypeRecord type, String serviceName,
            ServiceSpec spec) {
        ServiceTypeManifest serviceType = checked(app, type, serviceName, spec);
        ServicePackageManifest pkg = type.manifest().packageOfServiceType(serviceType.name()).orElseThrow();
        return new ClusterCommand.NewService(new ServiceName(app.name(), serviceName), spec, pkg.name(), ids.get());
    }

    /** Checks a changed spec for an existing service (size, constraint); fixed properties are checked by the state. */
    public void checkUpdate(ApplicationRecord app, ApplicationTypeRecord type, ServiceRecord existing, ServiceSpec spec) {
        checked(app, type, existing.name().service(), spec);
    }

    private ServiceTypeManifest checked(ApplicationRecord app, ApplicationTypeRecord type, String serviceName, ServiceSpec spec) {
        List<String> problems = new ArrayList<>();
        String nameProblem = io.capstan.model.Names.problem(serviceName);
        if (nameProblem != null) {
            problems.add("name: service name " + nameProblem);
        }
        ApplicationTypeManifest manifest = type.manifest();
        ServiceTypeManifest serviceType = spec.serviceType() == null ? null
                : manifest.serviceType(spec.serviceType()).orElse(null);
        if (serviceType == null) {
            List<String> known = manifest.servicePackages().stream()
                    .flatMap(p -> p.serviceTypes().stream()).map(ServiceTypeManifest::name).toList();
            throw ApiException.notFound("serviceType: '" + spec.serviceType() + "' is not a service type of " + type.name()
                    + " " + type.version() + " (used by application " + app.name() + "); its service types are " + known);
        }
        if (spec.kind() != serviceType.kind()) {
            problems.add("kind: service type " + serviceType.name() + " is " + serviceType.kind().wireName()
                    + "; create the service with --" + serviceType.kind().wireName());
        }
        problems.addAll(ServiceSpecRules.problems(spec));
        if (!spec.placementConstraints().isBlank()) {
            try {
                PlacementConstraint.parse(spec.placementConstraints());
            } catch (IllegalArgumentException e) {
                problems.add("placementConstraints: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiException(400, "INVALID", "service " + app.name() + "/" + serviceName + " is not valid: "
                    + String.join("; ", problems), problems);
        }
        return serviceType;
    }
}
