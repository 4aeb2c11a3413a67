package dev.switchboard.store;

import dev.switchboard.conversation.StoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Makes sure one process owns a data folder: two Switchboards writing the same files would lose each other's turns.
 * The operating system's lock on {@code <root>/.lock} is held per process, so stores opened on the same folder inside
 * one process share it, counted. Thread-safe.
 */
final class FolderLock {

    private static final Map<Path, FolderLock> HELD = new HashMap<>();

    private final Path root;
    private final FileChannel channel;
    private final FileLock lock;
    private int users;

    private FolderLock(Path root, FileChannel channel, FileLock lock) {
        this.root = root;
        this.channel = channel;
        this.lock = lock;
    }

    static FolderLock acquire(Path root) {
        synchronized (HELD) {
            FolderLock held = HELD.get(root);
            if (held == null) {
                held = lockFolder(root);
                HELD.put(root, held);
            }
            held.users++;
            return held;
        }
    }

    private static FolderLock lockFolder(Path root) {
        try {
            FileChannel channel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new StoreException("another Switchboard process is using the data folder " + root
                        + "; stop it, or give this one its own storage.path", null);
            }
            return new FolderLock(root, channel, lock);
        } catch (IOException e) {
            throw new StoreException("cannot lock the data folder " + root, e);
        }
    }

    void release() {
        synchronized (HELD) {
            if (users == 0) {
                return;
            }
            users--;
            if (users == 0) {
                HELD.remove(root);
                try {
                    lock.release();
                    channel.close();
                } catch (IOException ignored) {
                    // closing the channel releases the lock whatever happens
                }
            }
        }
    }
}
