package io.capstan.agent.image;

import java.io.IOException;

/**
 * A registry image reference: {@code registry:5000/team/web:1.4} or {@code registry:5000/team/web@sha256:<hex>}. The
 * registry part is required (there is no default registry); a missing tag means {@code latest}.
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {

    /** Whether {@code image} names a registry image rather than a file in the package. */
    public static boolean looksLikeReference(String image) {
        int slash = image.indexOf('/');
        if (slash <= 0) {
            return false;
        }
        String host = image.substring(0, slash);
        return host.contains(".") || host.contains(":") || host.equals("localhost");
    }

    public static ImageReference parse(String image) throws IOException {
        if (!looksLikeReference(image)) {
            throw new IOException("container.image '" + image + "' is not a registry reference: write it as"
                    + " registry:5000/team/web:1.4 (the registry is required)");
        }
        int slash = image.indexOf('/');
        String registry = image.substring(0, slash);
        String rest = image.substring(slash + 1);
        Digest digest = null;
        String tag = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = Digest.parse(rest.substring(at + 1), "container.image digest");
            rest = rest.substring(0, at);
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon > rest.lastIndexOf('/')) {
                tag = rest.substring(colon + 1);
                rest = rest.substring(0, colon);
            } else {
                tag = "latest";
            }
        }
        if (!rest.matches("[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*")) {
            throw new IOException("container.image '" + image + "': repository '" + rest
                    + "' must be lower-case path components like team/web");
        }
        return new ImageReference(registry, rest, tag, digest);
    }

    /** The tag or digest to ask the registry for. */
    public String reference() {
        return digest != null ? digest.toString() : tag;
    }

    @Override
    public String toString() {
        return registry + "/" + repository + (digest != null ? "@" + digest : ":" + tag);
    }
}
