package dev.switchboard.store;

import dev.switchboard.conversation.Attachment;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.conversation.Turn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Attachments' bytes in the file store: one file per content hash in the thread's blob folder,
 * {@code <yyyy>/<mm>/.blobs/<thread>/<sha256>}, beside its archives. Written atomically like every other file; a
 * hash is written once. Callers hold the conversation's lock.
 */
final class BlobFiles {

    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    private final ThreadFiles threads;
    private final FileLayout layout;
    private final Archives archives;
    private final boolean fsync;

    BlobFiles(ThreadFiles threads, FileLayout layout, Archives archives, boolean fsync) {
        this.threads = threads;
        this.layout = layout;
        this.archives = archives;
        this.fsync = fsync;
    }

    void attach(ConversationKey key, String messageId, List<Attachment> attachments, Map<String, byte[]> blobs) {
        threads.withLock(key, () -> {
            Located located = threads.current(key);
            if (located == null) {
                return null;
            }
            Conversation c = located.doc().conversation();
            List<Turn> turns = new ArrayList<>(c.turns());
            int at = -1;
            for (int i = 0; i < turns.size(); i++) {
                if (turns.get(i).messageIds().contains(messageId)) {
                    at = i;
                }
            }
            if (at < 0) {
                return null;
            }
            Path dir = layout.contained(layout.blobDir(located.file()));
            try {
                for (Attachment a : attachments) {
                    for (String hash : a.blobs()) {
                        byte[] bytes = blobs.get(hash);
                        Path file = dir.resolve(hash);
                        if (bytes != null && !Files.exists(file)) {
                            if (!Attachment.sha256(bytes).equals(hash)) {
                                throw new IllegalArgumentException("a blob does not hash to its key");
                            }
                            AtomicFiles.write(file, bytes, fsync, false);
                        }
                    }
                }
            } catch (IOException e) {
                throw new StoreException("could not keep the attachments of a message in " + key, e);
            }
            turns.set(at, turns.get(at).withAttachments(attachments));
            threads.write(located, new Conversation(key, c.startedAt(), c.updatedAt(), c.metadata(),
                    c.archivedTurns(), turns));
            return null;
        });
    }

    Optional<byte[]> read(ConversationKey key, String sha256) {
        if (!HASH.matcher(sha256).matches()) {
            return Optional.empty();
        }
        return threads.withLock(key, () -> {
            Located located = threads.current(key);
            if (located == null) {
                return Optional.empty();
            }
            Path file = layout.contained(layout.blobDir(located.file()).resolve(sha256));
            try {
                return Files.exists(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
            } catch (IOException e) {
                throw new StoreException("could not read an attachment in " + key, e);
            }
        });
    }

    /** Deletes the blobs no turn of the thread (archived ones included) refers to any more. Under the lock. */
    void collect(Located located) throws IOException {
        Path dir = layout.blobDir(located.file());
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Turn> all = new ArrayList<>(archives.readAll(located.file(), located.doc().key(),
                located.doc().archiveFiles()));
        all.addAll(located.doc().turns());
        Set<String> referenced = all.stream().flatMap(t -> t.attachments().stream())
                .flatMap(a -> a.blobs().stream()).collect(Collectors.toSet());
        for (Path blob : FileLayout.children(dir, p -> !referenced.contains(p.getFileName().toString()))) {
            Files.deleteIfExists(blob);
        }
    }
}
