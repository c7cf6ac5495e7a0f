package io.capstan.agent.cgroup;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The few file operations cgroupfs needs: rmdir of a directory full of control files, and short writes. */
final class CgroupFiles {

    private CgroupFiles() {
    }

    /**
     * rmdir: a cgroup directory is removed with its control files in it. The kernel can report busy for a
     * moment after the last process died, so retry briefly.
     */
    static void removeDirectory(Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                Files.delete(dir);
                return;
            } catch (NoSuchFileException e) {
                return;
            } catch (FileSystemException e) {
                if (attempt >= 20) {
                    throw e;
                }
                try {
                    // Why a fixed delay: rmdir of a cgroup reports busy for a moment after its last task exits; retry briefly.
                    Thread.sleep(10L * (attempt + 1));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** rmdir if empty: a parent that still holds another activation or node stays. */
    static boolean removeIfEmpty(Path dir) {
        try {
            Files.delete(dir);
            return true;
        } catch (NoSuchFileException e) {
            return true;
        } catch (DirectoryNotEmptyException e) {
            return false;
        } catch (IOException e) {
            // cgroupfs says EBUSY for a directory with children.
            return false;
        }
    }

    static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }

    static String read(Path file) throws IOException {
        return Files.readString(file).trim();
    }

    /**
     * mkdir -p that tolerates another agent removing an empty shared parent ("capstan") at the same moment.
     */
    static void createDirectories(Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                Files.createDirectories(dir);
                return;
            } catch (NoSuchFileException e) {
                if (attempt >= 5) {
                    throw e;
                }
            }
        }
    }
}
