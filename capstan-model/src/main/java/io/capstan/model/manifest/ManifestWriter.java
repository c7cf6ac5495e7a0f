package io.capstan.model.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.capstan.model.Durations;
import io.capstan.model.PartitionScheme;
import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceSpec;
import io.capstan.model.health.ApplicationHealthPolicy;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a manifest back as {@code capstan-app.yaml} text in the format {@link ManifestParser} reads, with
 * defaults spelt out (activation, partitions, protocol, minReplicaSetSize, every field of a declared probe or of a
 * restart or health policy that is not the default one); map keys are sorted, so the output of a manifest is always
 * the same text.
 */
public final class ManifestWriter {

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build();

    private ManifestWriter() {
    }

    public static String toYaml(ApplicationTypeManifest m) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("applicationType", m.applicationType());
        root.put("version", m.version());
        if (!m.parameters().isEmpty()) {
            root.put("parameters", new TreeMap<>(m.parameters()));
        }
        List<Object> packages = new ArrayList<>();
        for (ServicePackageManifest p : m.servicePackages()) {
            packages.add(servicePackage(p));
        }
        root.put("servicePackages", packages);
        if (!m.defaultServices().isEmpty()) {
            List<Object> defaults = new ArrayList<>();
            for (DefaultServiceManifest d : m.defaultServices()) {
                defaults.add(defaultService(d));
            }
            root.put("defaultServices", defaults);
        }
        if (!m.healthPolicy().equals(ApplicationHealthPolicy.DEFAULT)) {
            ApplicationHealthPolicy h = m.healthPolicy();
            Map<String, Object> policy = new LinkedHashMap<>();
            policy.put("considerWarningAsError", h.considerWarningAsError());
            policy.put("maxPercentUnhealthyDeployedApplications", h.maxPercentUnhealthyDeployedApplications());
            policy.put("maxPercentUnhealthyServices", h.maxPercentUnhealthyServices());
            policy.put("maxPercentUnhealthyPartitionsPerService", h.maxPercentUnhealthyPartitionsPerService());
            policy.put("maxPercentUnhealthyReplicasPerPartition", h.maxPercentUnhealthyReplicasPerPartition());
            root.put("healthPolicy", policy);
        }
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> servicePackage(ServicePackageManifest p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", p.name());
        out.put("version", p.version());
        List<Object> types = new ArrayList<>();
        for (ServiceTypeManifest t : p.serviceTypes()) {
            Map<String, Object> type = new LinkedHashMap<>();
            type.put("name", t.name());
            type.put("kind", t.kind().wireName());
            type.put("codePackage", t.codePackage());
            if (t.loadBalancing() != null) {
                type.put("loadBalancing", t.loadBalancing().wireName());
            }
            types.add(type);
        }
        out.put("serviceTypes", types);
        List<Object> codes = new ArrayList<>();
        for (CodePackageManifest c : p.codePackages()) {
            Map<String, Object> code = new LinkedHashMap<>();
            code.put("name", c.name());
            code.put("version", c.version());
            if (c.run() instanceof ProcessSpec process) {
                Map<String, Object> proc = new LinkedHashMap<>();
                proc.put("command", process.command());
                if (!process.args().isEmpty()) {
                    proc.put("args", process.args());
                }
                if (!process.env().isEmpty()) {
                    proc.put("env", new TreeMap<>(process.env()));
                }
                if (process.workingDir() != null) {
                    proc.put("workingDir", process.workingDir());
                }
                code.put("process", proc);
            }
            if (c.run() instanceof ContainerSpec container) {
                Map<String, Object> cont = new LinkedHashMap<>();
                cont.put("image", container.image());
                if (!container.args().isEmpty()) {
                    cont.put("args", container.args());
                }
                if (!container.env().isEmpty()) {
                    cont.put("env", new TreeMap<>(container.env()));
                }
                if (container.privateNetwork()) {
                    cont.put("network", container.network());
                }
                if (container.userNamespace()) {
                    cont.put("userNamespace", true);
                }
                code.put("container", cont);
            }
            if (!c.resources().equals(ResourceRequest.NONE)) {
                Map<String, Object> res = new LinkedHashMap<>();
                res.put("cpu", c.resources().cpu());
                res.put("memoryMiB", c.resources().memoryMiB());
                code.put("resources", res);
            }
            if (!c.probes().isEmpty()) {
                Map<String, Object> probes = new LinkedHashMap<>();
                putProbe(probes, "startup", c.probes().startup());
                putProbe(probes, "liveness", c.probes().liveness());
                putProbe(probes, "readiness", c.probes().readiness());
                code.put("probes", probes);
            }
            if (!c.restartPolicy().equals(RestartPolicy.DEFAULT)) {
                RestartPolicy r = c.restartPolicy();
                Map<String, Object> policy = new LinkedHashMap<>();
                policy.put("initialDelay", Durations.format(r.initialDelay()));
                policy.put("maxDelay", Durations.format(r.maxDelay()));
                policy.put("resetAfter", Durations.format(r.resetAfter()));
                policy.put("moveAfterFailures", r.moveAfterFailures());
                code.put("restartPolicy", policy);
            }
            if (c.drainTimeout() != null) {
                code.put("drainTimeout", Durations.format(c.drainTimeout()));
            }
            if (!c.onConfigChange().restarts()) {
                code.put("onConfigChange", Map.of("signal", c.onConfigChange().signal()));
            }
            codes.add(code);
        }
        out.put("codePackages", codes);
        if (!p.endpoints().isEmpty()) {
            List<Object> endpoints = new ArrayList<>();
            for (EndpointManifest e : p.endpoints()) {
                Map<String, Object> ep = new LinkedHashMap<>();
                ep.put("name", e.name());
                ep.put("protocol", e.protocol());
                if (e.port() != null) {
                    ep.put("port", e.port());
                }
                endpoints.add(ep);
            }
            out.put("endpoints", endpoints);
        }
        for (FilesPackageManifest.Kind kind : FilesPackageManifest.Kind.values()) {
            if (!p.filesPackages(kind).isEmpty()) {
                List<Object> files = new ArrayList<>();
                for (FilesPackageManifest f : p.filesPackages(kind)) {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("name", f.name());
                    entry.put("version", f.version());
                    files.add(entry);
                }
                out.put(kind.field(), files);
            }
        }
        return out;
    }

    private static void putProbe(Map<String, Object> probes, String which, ProbeSpec p) {
        if (p == null) {
            return;
        }
        Map<String, Object> how = new LinkedHashMap<>();
        switch (p.kind()) {
            case http -> {
                how.put("endpoint", p.endpoint());
                how.put("path", p.path());
                if (p.expectedStatus() != null) {
                    how.put("expectedStatus", p.expectedStatus());
                }
            }
            case tcp -> how.put("endpoint", p.endpoint());
            case exec -> how.put("command", p.command());
        }
        Map<String, Object> probe = new LinkedHashMap<>();
        probe.put(p.kind().name(), how);
        probe.put("initialDelay", Durations.format(p.initialDelay()));
        probe.put("period", Durations.format(p.period()));
        probe.put("timeout", Durations.format(p.timeout()));
        probe.put("failureThreshold", p.failureThreshold());
        probe.put("successThreshold", p.successThreshold());
        probes.put(which, probe);
    }

    private static Map<String, Object> defaultService(DefaultServiceManifest d) {
        ServiceSpec s = d.spec();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", d.name());
        out.put("serviceType", s.serviceType());
        out.put("activation", s.activation().wireName());
        Map<String, Object> partitions = new LinkedHashMap<>();
        switch (s.partitions()) {
            case PartitionScheme.Singleton ignored -> partitions.put("scheme", "Singleton");
            case PartitionScheme.UniformInt64Range r -> {
                partitions.put("scheme", "UniformInt64Range");
                partitions.put("low", r.low());
                partitions.put("high", r.high());
                partitions.put("count", r.count());
            }
            case PartitionScheme.Named n -> {
                partitions.put("scheme", "Named");
                partitions.put("names", n.names());
            }
        }
        out.put("partitions", partitions);
        if (s.kind() == ServiceKind.STATEFUL) {
            out.put("targetReplicaSetSize", s.targetReplicaSetSize());
            out.put("minReplicaSetSize", s.minReplicaSetSize());
        } else {
            out.put("instanceCount", s.instanceCount());
        }
        if (!s.placementConstraints().isEmpty()) {
            out.put("placementConstraints", s.placementConstraints());
        }
        if (d.loadBalancing() != null) {
            out.put("loadBalancing", d.loadBalancing().wireName());
        }
        return out;
    }
}
