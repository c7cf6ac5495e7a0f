package io.capstan.model.manifest;

/** What a code package asks for: cores (fractional) and memory in MiB; also its enforced limit. */
public record ResourceRequest(double cpu, long memoryMiB) {

    public static final ResourceRequest NONE = new ResourceRequest(0, 0);

    public ResourceRequest plus(ResourceRequest other) {
        return new ResourceRequest(cpu + other.cpu, memoryMiB + other.memoryMiB);
    }
}
