package io.capstan.model.pkg;

/**
 * Bounds on what an application package may hold, checked while reading so a hostile archive (a gzip bomb,
 * millions of entries) fails fast with a clear error instead of filling memory or disk.
 */
public record PackageLimits(long maxUncompressedBytes, int maxEntries) {

    /**
     * 8 GiB of file content and 100,000 entries: what an agent extracts to disk and the CLI packs. A server checks
     * uploads in constant memory with limits derived from its request size limit.
     */
    public static final PackageLimits DEFAULT = new PackageLimits(8L * 1024 * 1024 * 1024, 100_000);

    /** For reading a package into memory: 256 MiB of content. */
    public static final PackageLimits IN_MEMORY = new PackageLimits(256L * 1024 * 1024, 100_000);

    public PackageLimits {
        if (maxUncompressedBytes <= 0 || maxEntries <= 0) {
            throw new IllegalArgumentException("package limits must be positive");
        }
    }
}
