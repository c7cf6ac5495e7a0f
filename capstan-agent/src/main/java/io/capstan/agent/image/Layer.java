package io.capstan.agent.image;

import java.nio.file.Path;

/** One layer of an image: the blob holding its tar (gzip-compressed or not) and the digest the blob must have. */
public record Layer(Digest digest, Path blob) {
}
