package io.capstan.model.manifest;

import io.capstan.model.ServiceSpec;

/** A service created with every application of the type: a name and its specification. */
public record DefaultServiceManifest(String name, ServiceSpec spec) {
}
