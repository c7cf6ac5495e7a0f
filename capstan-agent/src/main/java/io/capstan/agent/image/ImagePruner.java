package io.capstan.agent.image;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the node's images within bounds: an image no activation uses is removed once it has been unused for
 * {@link Policy#keepUnused}, and while all images together hold more than {@link Policy#maxBytes}, unused ones go,
 * least recently used first. Images in use are never removed. Pulled blobs no remaining image needs go with them.
 */
public final class ImagePruner {

    private static final Logger log = LoggerFactory.getLogger(ImagePruner.class);

    /** How long an unused image is kept, and how much all images may hold. */
    public record Policy(Duration keepUnused, long maxBytes) {
        public static final Policy DEFAULT = new Policy(Duration.ofHours(24), 10L * 1024 * 1024 * 1024);
    }

    /** One image as {@code capstan image list} shows it. */
    public record ImageInfo(String digest, List<String> references, long sizeBytes, boolean inUse, Instant lastUsedAt) {
    }

    /** What a prune removed. */
    public record Pruned(List<String> removed, long freedBytes) {
    }

    private final ImageStore store;
    private final Supplier<Set<Digest>> inUse;
    private final Clock clock;
    private final Policy policy;

    /** @param inUse the images activations use now; asked while no image can be taken into use */
    public ImagePruner(ImageStore store, Supplier<Set<Digest>> inUse, Clock clock, Policy policy) {
        this.store = store;
        this.inUse = inUse;
        this.clock = clock;
        this.policy = policy;
    }

    public Policy policy() {
        return policy;
    }

    /** Every image on the node, biggest first. */
    public List<ImageInfo> list() throws IOException, InterruptedException {
        return store.shared(() -> {
            Set<Digest> used = inUse.get();
            List<ImageInfo> out = new ArrayList<>();
            for (UnpackedImage i : store.list()) {
                out.add(new ImageInfo(i.digest().toString(), store.references(i.digest()), store.sizeBytes(i.digest()),
                        used.contains(i.digest()), used.contains(i.digest()) ? clock.instant() : store.lastUsed(i.digest())));
            }
            out.sort(Comparator.comparingLong(ImageInfo::sizeBytes).reversed());
            return out;
        });
    }

    /** {@code capstan image prune}: every image no activation uses, now. */
    public Pruned pruneUnused() throws IOException, InterruptedException {
        return prune(true);
    }

    /** The periodic pass: unused images past their keeping time, then the least recently used until under the size. */
    public Pruned enforcePolicy() throws IOException, InterruptedException {
        return prune(false);
    }

    private Pruned prune(boolean allUnused) throws IOException, InterruptedException {
        return store.exclusive(() -> {
            Set<Digest> used = inUse.get();
            Instant now = clock.instant();
            long total = 0;
            List<UnpackedImage> unused = new ArrayList<>();
            for (UnpackedImage i : store.list()) {
                total += store.sizeBytes(i.digest());
                if (used.contains(i.digest())) {
                    store.touch(i.digest()); // its age as an unused image starts when it stops being used
                } else {
                    unused.add(i);
                }
            }
            unused.sort(Comparator.comparing(i -> {
                try {
                    return store.lastUsed(i.digest());
                } catch (IOException e) {
                    return Instant.EPOCH;
                }
            }));
            List<String> removed = new ArrayList<>();
            long freed = 0;
            for (UnpackedImage i : unused) {
                boolean tooOld = !store.lastUsed(i.digest()).plus(policy.keepUnused()).isAfter(now);
                if (allUnused || tooOld || total > policy.maxBytes()) {
                    long size = store.sizeBytes(i.digest());
                    store.remove(i.digest());
                    total -= size;
                    freed += size;
                    removed.add(i.digest().toString());
                    log.info("removed image {} ({} bytes): {}", i.digest(), size, allUnused ? "pruned on request"
                            : tooOld ? "unused for " + policy.keepUnused() : "the images held more than " + policy.maxBytes() + " bytes");
                }
            }
            if (!removed.isEmpty()) {
                freed += store.removeUnusedBlobs();
            }
            return new Pruned(removed, freed);
        });
    }
}
