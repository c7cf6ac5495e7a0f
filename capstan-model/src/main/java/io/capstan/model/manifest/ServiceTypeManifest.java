package io.capstan.model.manifest;

import io.capstan.model.LoadBalancing;
import io.capstan.model.ServiceKind;

/**
 * A service type and the code package that registers (hosts) it. {@code loadBalancing} is how the gateway spreads
 * requests over its services' instances; null when the manifest does not say (the gateway's default then applies).
 */
public record ServiceTypeManifest(String name, ServiceKind kind, String codePackage, LoadBalancing loadBalancing) {

    public ServiceTypeManifest(String name, ServiceKind kind, String codePackage) {
        this(name, kind, codePackage, null);
    }
}
