package io.capstan.state.ratis;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** fsync of a file and of a directory: a rename or a new file is durable only once its directory is synced. */
public final class Durable {

    private Durable() {
    }

    public static void fsync(Path file) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.force(true);
        }
    }

    /** Linux lets a directory be opened read-only and forced; elsewhere this may not be possible. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        }
    }
}
