package io.capstan.agent;

import java.io.IOException;
import java.nio.file.Path;

/** Where activations get application package content: the extracted package with a given digest. */
@FunctionalInterface
public interface PackageStore {

    /** The root folder of the extracted package (holding capstan-app.yaml and one folder per service package). */
    Path resolve(String digest) throws IOException, InterruptedException;

    /** Forgets the packages no activation of the node's assignment uses any more (activations hold copies). */
    default void retainOnly(java.util.Set<String> digests) {
    }
}
