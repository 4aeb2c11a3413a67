package dev.switchboard.store;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationQuery;
import dev.switchboard.conversation.ConversationSummary;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.conversation.Turn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forgetting: one thread, one user's turns in every thread, and threads past retention, each with the verdicts on
 * its answers (a user's verdicts with their turns). Backups and quarantined copies hold the same text, so they go
 * too. Thread-safe: each conversation is changed under its lock.
 */
final class Privacy {

    private static final Logger log = LoggerFactory.getLogger(JsonFileConversationStore.class);

    private final ThreadFiles threads;
    private final FileLayout layout;
    private final Recovery recovery;
    private final Archives archives;
    private final DocumentCodec codec;
    private final boolean fsync;
    private final Clock clock;
    private final FeedbackFiles feedback;
    private BlobFiles blobs;

    /** The attachments' files, which forgetting takes along. */
    void blobs(BlobFiles files) {
        this.blobs = files;
    }

    Privacy(ThreadFiles threads, FileLayout layout, Recovery recovery, Archives archives, DocumentCodec codec,
            boolean fsync, Clock clock, FeedbackFiles feedback) {
        this.feedback = feedback;
        this.threads = threads;
        this.layout = layout;
        this.recovery = recovery;
        this.archives = archives;
        this.codec = codec;
        this.fsync = fsync;
        this.clock = clock;
    }

    /** Deletes one thread with its archives, backup, temp files and quarantined copies. */
    boolean forget(ConversationKey key) {
        return threads.withLock(key, () -> {
            Located located = threads.current(key);
            threads.drop(key);
            if (located == null) {
                return false;
            }
            Path file = located.file();
            try {
                FileLayout.deleteTree(layout.archiveDir(file));
                FileLayout.deleteTree(layout.blobDir(file));
                feedback.delete(file);
                Files.deleteIfExists(AtomicFiles.tempOf(file, "tmp"));
                Files.deleteIfExists(AtomicFiles.tempOf(file, "bak.tmp"));
                Files.deleteIfExists(AtomicFiles.backupOf(file));
                Files.deleteIfExists(file);
                if (fsync) {
                    AtomicFiles.fsyncDirectory(file.getParent());
                }
                recovery.purgeCopiesOf(file);
            } catch (IOException e) {
                throw new StoreException("could not delete conversation " + key, e);
            }
            log.info("conversation forgotten: {}", kv("conversation", key));
            return true;
        });
    }

    /** Removes every turn a user wrote on a platform, archives, backups and quarantined copies included. */
    int forgetUser(String platform, String userId) {
        Objects.requireNonNull(userId, "userId");
        Predicate<Turn> byUser = t -> t.authorId().equals(userId) && t.role() != Role.ASSISTANT;
        int removed = 0;
        for (ConversationSummary summary : layout.list(new ConversationQuery(platform, null, null, null, null))) {
            ConversationKey key = summary.key();
            removed += threads.withLock(key, () -> {
                int gone = removeTurns(key, byUser);
                if (gone > 0) {
                    // A summary holds the removed words too, and its turn numbers no longer match: it goes as well.
                    removeTurns(key, t -> t.role() == Role.SUMMARY);
                }
                return gone;
            });
            feedback.removeUser(key, userId); // the verdicts they gave go too; only turns are counted
        }
        try {
            recovery.purgeMentionsOf(platform, userId);
        } catch (IOException e) {
            throw new StoreException("could not purge quarantined copies of a user's turns", e);
        }
        log.info("turns of a user forgotten: {} {}", kv("platform", platform), kv("turns", removed));
        return removed;
    }

    private int removeTurns(ConversationKey key, Predicate<Turn> doomed) {
        Located located = threads.current(key);
        if (located == null) {
            return 0;
        }
        StoredConversation doc = located.doc();
        try {
            Archives.Removed fromArchives = archives.remove(located.file(), key, doc.archiveFiles(), doomed);
            List<Turn> kept = doc.turns().stream().filter(doomed.negate()).toList();
            int removed = fromArchives.removed() + doc.turns().size() - kept.size();
            if (removed == 0) {
                return 0;
            }
            Conversation next = new Conversation(key, doc.startedAt(), clock.instant(), doc.metadata(),
                    fromArchives.archivedTurns(), kept);
            StoredConversation rewritten = StoredConversation.of(next, doc.archiveFiles());
            // The backup holds the removed text: replace it rather than keep it.
            AtomicFiles.write(located.file(), codec.encode(StoredConversation.KIND, rewritten,
                    DocumentCodec.schemaFor(rewritten.turns())), fsync, false);
            Files.deleteIfExists(AtomicFiles.backupOf(located.file()));
            if (fsync) {
                AtomicFiles.fsyncDirectory(located.file().getParent());
            }
            Located kept2 = new Located(located.file(), rewritten);
            threads.remember(key, kept2);
            if (blobs != null) {
                blobs.collect(kept2); // their files go with their turns
            }
            return removed;
        } catch (IOException e) {
            threads.drop(key); // the disk may hold either version now: read it again next time
            throw new StoreException("could not rewrite conversation " + key, e);
        }
    }

    /** Deletes threads not written to since {@code cutoff}, deciding by their last change, not their files' times. */
    int deleteNotUpdatedSince(Instant cutoff) {
        int deleted = 0;
        for (String platform : layout.platforms()) {
            for (ConversationSummary summary : layout.list(new ConversationQuery(platform, null, null, null, null))) {
                if (!summary.lastModified().isBefore(cutoff)) {
                    continue;
                }
                ConversationKey key = summary.key();
                // Decide and delete under one lock, so a turn appended meanwhile is never deleted with it.
                boolean gone = threads.withLock(key, () -> {
                    Located located = threads.current(key);
                    return located != null && located.doc().updatedAt().isBefore(cutoff) && forget(key);
                });
                if (gone) {
                    deleted++;
                }
            }
        }
        if (deleted > 0) {
            log.info("retention deleted {} conversations not updated since {}", deleted, cutoff);
        }
        return deleted;
    }
}
