package io.capstan.agent;

import io.capstan.model.ServiceName;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.ContainerSpec;
import io.capstan.model.manifest.ProcessSpec;
import io.capstan.model.manifest.EndpointManifest;
import io.capstan.model.manifest.FilesPackageManifest;
import io.capstan.model.wire.AssignedReplica;
import io.capstan.model.wire.ServicePackageActivation;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The variables a code package process gets on top of the agent's environment and its manifest's env. */
final class ActivationEnvironment {

    private ActivationEnvironment() {
    }

    static Map<String, String> of(AgentConfig config, ServicePackageActivation spec, CodePackageManifest codePackage,
                                  ActivationPaths paths, Map<String, Integer> ports) {
        Map<String, String> env = new LinkedHashMap<>();
        switch (codePackage.run()) {
            case ProcessSpec p -> env.putAll(p.env());
            case ContainerSpec c -> env.putAll(c.env());
        }
        // Capstan's own variables come last: a manifest cannot fake its identity or ports.
        env.put("CAPSTAN_API", config.primaryServer());
        if (!config.localApi().isEmpty()) {
            env.put("CAPSTAN_AGENT_API", config.localApi());
        }
        env.put("CAPSTAN_NODE_NAME", config.name());
        env.put("CAPSTAN_APPLICATION_NAME", shortApplicationName(spec.application()));
        env.put("CAPSTAN_APPLICATION_TYPE", nullToEmpty(spec.applicationTypeName()));
        env.put("CAPSTAN_APPLICATION_TYPE_VERSION", nullToEmpty(spec.applicationTypeVersion()));
        env.put("CAPSTAN_SERVICE_PACKAGE_NAME", spec.servicePackage().name());
        env.put("CAPSTAN_SERVICE_PACKAGE_VERSION", nullToEmpty(spec.servicePackage().version()));
        env.put("CAPSTAN_SERVICE_PACKAGE_ACTIVATION_ID", nullToEmpty(spec.activationId()));
        env.put("CAPSTAN_CODE_PACKAGE_NAME", codePackage.name());
        env.put("CAPSTAN_WORK_DIR", paths.work().toString());
        env.put("CAPSTAN_LOG_DIR", paths.log().toString());
        env.put("CAPSTAN_PARTITION_IDS", partitionIds(spec));
        env.put("CAPSTAN_REPLICAS_FILE", paths.replicasFile().toString());
        for (FilesPackageManifest.Kind kind : FilesPackageManifest.Kind.values()) {
            for (FilesPackageManifest f : spec.servicePackage().filesPackages(kind)) {
                env.put(kind.directoryVariable(f.name()), paths.filesPackage(kind, f.name()).toString());
            }
        }
        for (EndpointManifest e : spec.servicePackage().endpoints()) {
            Integer port = ports.get(e.name());
            if (port != null) {
                env.put(e.portVariable(), Integer.toString(port));
            }
        }
        return env;
    }

    /** The distinct partitions of the activation's replicas, in assignment order, comma-separated. */
    static String partitionIds(ServicePackageActivation spec) {
        Set<UUID> ids = new LinkedHashSet<>();
        for (AssignedReplica r : spec.replicas()) {
            if (r.partitionId() != null) {
                ids.add(r.partitionId());
            }
        }
        return String.join(",", ids.stream().map(UUID::toString).toList());
    }

    static String shortApplicationName(String application) {
        return application.startsWith(ServiceName.SCHEME) ? application.substring(ServiceName.SCHEME.length()) : application;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
