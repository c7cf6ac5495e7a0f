package io.capstan.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Exclusive use of a data directory ({@code <data>/agent.lock}): two agents adopting the same records would
 * each restart and stop the other's processes. The OS drops the lock when the process dies.
 */
final class DataDirLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirLock acquire(Path dataDir) throws IOException {
        Path file = dataDir.resolve("agent.lock");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                throw new IOException("another agent uses the data directory " + dataDir);
            }
            return new DataDirLock(ch, lock);
        } catch (OverlappingFileLockException e) {
            ch.close();
            throw new IOException("another agent in this JVM uses the data directory " + dataDir, e);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // Closing the channel releases the lock anyway.
        }
    }
}
