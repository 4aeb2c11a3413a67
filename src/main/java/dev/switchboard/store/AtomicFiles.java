package dev.switchboard.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces files so that a reader, or a process killed at any moment, sees either the old or the new content.
 *
 * <p>Steps: write a temp file beside the target and fsync it; hard-link the current target to the backup name
 * (a rename of the link replaces the old backup atomically, and the target never disappears); rename the temp file
 * over the target; fsync the folder so the renames are durable. Callers hold the per-file lock: one writer per file.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    static Path backupOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".bak");
    }

    static Path tempOf(Path file, String purpose) {
        return file.resolveSibling("." + file.getFileName() + "." + purpose);
    }

    public static void write(Path target, byte[] content, boolean fsync, boolean keepBackup) throws IOException {
        Path dir = target.getParent();
        ensureDirectory(dir, fsync);
        Path temp = tempOf(target, "tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            if (fsync) {
                channel.force(true);
            }
        }
        if (keepBackup && Files.exists(target)) {
            keepBackup(target);
        }
        move(temp, target);
        if (fsync) {
            fsyncDirectory(dir);
        }
    }

    /**
     * Creates a folder and any missing parents, syncing each parent that gained an entry: without that, a crash
     * could forget a new folder and every file written into it.
     */
    static void ensureDirectory(Path dir, boolean fsync) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir; p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        while (!missing.isEmpty()) {
            Path p = missing.pop();
            try {
                Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(p)) {
                    throw e;
                }
                // Another writer made it; sync anyway, as that writer may not have yet.
            }
            if (fsync && p.getParent() != null) {
                fsyncDirectory(p.getParent());
            }
        }
    }

    private static void keepBackup(Path target) throws IOException {
        Path link = tempOf(target, "bak.tmp");
        Files.deleteIfExists(link);
        try {
            Files.createLink(link, target);
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.copy(target, link, StandardCopyOption.REPLACE_EXISTING);
        }
        move(link, backupOf(target));
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the data folder's file system cannot rename atomically: " + to.getParent(), e);
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open or sync a folder; the data itself was synced.
            if (!(e instanceof FileSystemException)) {
                throw e;
            }
        }
    }
}
