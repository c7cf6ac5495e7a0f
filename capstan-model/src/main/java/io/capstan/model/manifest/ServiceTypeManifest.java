package io.capstan.model.manifest;

import io.capstan.model.ServiceKind;

/** A service type and the code package that registers (hosts) it. */
public record ServiceTypeManifest(String name, ServiceKind kind, String codePackage) {
}
