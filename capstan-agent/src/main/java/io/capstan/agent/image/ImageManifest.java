package io.capstan.agent.image;

import java.util.List;

/** An image as its manifest describes it: the digest that names it, its run config, and its layers bottom first. */
public record ImageManifest(Digest digest, ImageConfig config, List<Layer> layers) {

    public ImageManifest {
        layers = List.copyOf(layers);
    }
}
