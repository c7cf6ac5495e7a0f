package io.capstan.model.manifest;

/** A named endpoint; the agent allocates its port unless {@code port} fixes one. */
public record EndpointManifest(String name, String protocol, Integer port) {

    /** The environment variable that carries the allocated port: CAPSTAN_ENDPOINT_WEB_PORT. */
    public String portVariable() {
        return "CAPSTAN_ENDPOINT_" + name.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_PORT";
    }
}
