package io.capstan.agent.image;

import java.nio.file.Path;

/** An image ready to run: its manifest digest, its read-only rootfs (shared by every activation) and its config. */
public record UnpackedImage(Digest digest, Path rootfs, ImageConfig config) {
}
