package io.capstan.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Rotates code package logs by copy-then-truncate: the program keeps its O_APPEND descriptor, and after the
 * truncation its next write lands at the new end of the file, so nothing needs to reopen anything.
 * {@code X.out} → {@code X.out.1} → ... → {@code X.out.<keep>}, the oldest dropped.
 */
final class LogRotator {

    private final LogRotation policy;

    LogRotator(LogRotation policy) {
        this.policy = policy;
    }

    /** Rotates every {@code *.out} and {@code *.err} in {@code logDir} that is over the limit. */
    void rotateAll(Path logDir) throws IOException {
        if (!Files.isDirectory(logDir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(logDir, "*.{out,err}")) {
            for (Path f : files) {
                rotateIfNeeded(f);
            }
        } catch (NoSuchFileException e) {
            // The activation was removed meanwhile.
        }
    }

    /** Returns true when the file was rotated. */
    boolean rotateIfNeeded(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) <= policy.maxBytes()) {
            return false;
        }
        if (policy.keep() > 0) {
            Files.deleteIfExists(numbered(file, policy.keep()));
            for (int i = policy.keep() - 1; i >= 1; i--) {
                Path from = numbered(file, i);
                if (Files.exists(from)) {
                    Files.move(from, numbered(file, i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.copy(file, numbered(file, 1), StandardCopyOption.REPLACE_EXISTING);
        }
        // Lines written between the copy and the truncation are lost: the documented price of copytruncate.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        return true;
    }

    static Path numbered(Path file, int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }
}
