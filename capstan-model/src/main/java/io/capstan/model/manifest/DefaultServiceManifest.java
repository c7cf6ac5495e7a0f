package io.capstan.model.manifest;

import io.capstan.model.ServiceSpec;

/**
 * A service created with every application of the type: a name and its specification. {@code loadBalancing}, when
 * given, overrides its service type's.
 */
public record DefaultServiceManifest(String name, ServiceSpec spec, io.capstan.model.LoadBalancing loadBalancing) {

    public DefaultServiceManifest(String name, ServiceSpec spec) {
        this(name, spec, null);
    }
}
