package io.capstan.state;

import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.manifest.ResourceRequest;
import java.util.Map;

/**
 * What one activation of a service's package costs a node, per placement metric ("cpu" in cores,
 * "memoryMiB"): the sum of its code packages' resource requests. The planner and the plan applier must
 * agree on it, so both take it from here.
 */
public final class ServiceLoads {

    private ServiceLoads() {
    }

    public static Map<String, Double> of(ApplicationTypeRecord type, String servicePackage) {
        ResourceRequest r = type == null ? ResourceRequest.NONE
                : type.manifest().servicePackage(servicePackage).map(p -> p.totalResources()).orElse(ResourceRequest.NONE);
        return Map.of("cpu", r.cpu(), "memoryMiB", (double) r.memoryMiB());
    }

    /** The load of a service in a snapshot (nothing when its application or type is gone). */
    public static Map<String, Double> of(ClusterSnapshot state, ServiceRecord s) {
        ApplicationRecord app = state.applications().get(s.name().application());
        return of(app == null ? null : state.applicationType(app.typeName(), app.typeVersion()).orElse(null), s.servicePackage());
    }
}
