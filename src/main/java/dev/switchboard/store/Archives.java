package dev.switchboard.store;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Turn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archive rolling: a thread's current file holds at most {@code maxTurnsPerFile} turns, and older ones roll into
 * numbered, write-once archive files beside it, so an append rewrites a bounded file however long the thread grows.
 * Callers hold the conversation's lock.
 */
final class Archives {

    private static final Logger log = LoggerFactory.getLogger(JsonFileConversationStore.class);

    /** What stays in the current file after a roll, and how many archive files the thread has then. */
    record Rolled(Conversation current, int archiveFiles) { }

    /** Archives of a thread whose current file was lost: the file they belong to, their number and their turns. */
    record Adopted(Path liveFile, int archiveFiles, int archivedTurns) { }

    /** What removing turns left: how many went, and how many archived turns stay. */
    record Removed(int removed, int archivedTurns) { }

    private final FileLayout layout;
    private final DocumentCodec codec;
    private final Recovery recovery;
    private final int maxTurnsPerFile;
    private final boolean fsync;

    Archives(FileLayout layout, DocumentCodec codec, Recovery recovery, int maxTurnsPerFile, boolean fsync) {
        this.layout = layout;
        this.codec = codec;
        this.recovery = recovery;
        this.maxTurnsPerFile = maxTurnsPerFile;
        this.fsync = fsync;
    }

    /** Rolls the oldest turns of {@code next} into a new archive file when the current file would be too long. */
    Rolled roll(Path liveFile, Conversation next, int archiveFiles) throws IOException {
        if (next.turns().size() <= maxTurnsPerFile) {
            return new Rolled(next, archiveFiles);
        }
        // Keep a quarter in the current file for context.
        int keep = Math.max(1, maxTurnsPerFile / 4);
        int roll = next.turns().size() - keep;
        int index = archiveFiles + 1;
        List<Turn> rolled = next.turns().subList(0, roll);
        AtomicFiles.write(layout.archiveFile(liveFile, index),
                codec.encode(ArchiveChunk.KIND, new ArchiveChunk(next.key(), index, rolled),
                        DocumentCodec.schemaFor(rolled)), fsync, false);
        Conversation current = new Conversation(next.key(), next.startedAt(), next.updatedAt(), next.metadata(),
                next.archivedTurns() + roll, next.turns().subList(roll, next.turns().size()));
        return new Rolled(current, index);
    }

    /** Every archived turn of a thread, oldest first. */
    List<Turn> readAll(Path liveFile, ConversationKey key, int archiveFiles) {
        List<Turn> all = new ArrayList<>();
        for (int i = 1; i <= archiveFiles; i++) {
            all.addAll(recovery.readArchive(liveFile, key, i).turns());
        }
        return all;
    }

    /** A thread whose current file was lost may still have archives: adopt them rather than overwrite them. */
    Adopted adoptOrphans(ConversationKey key) {
        Path archives = layout.locateArchives(key);
        if (archives == null) {
            return null;
        }
        Path file = layout.fileOfArchives(archives);
        int archiveFiles = 0;
        int archivedTurns = 0;
        while (Files.exists(layout.archiveFile(file, archiveFiles + 1))) {
            archiveFiles++;
            archivedTurns += recovery.readArchive(file, key, archiveFiles).turns().size();
        }
        log.warn("conversation file lost; kept its {} archive files ({} turns) {}", archiveFiles, archivedTurns,
                kv("conversation", key));
        return new Adopted(file, archiveFiles, archivedTurns);
    }

    /** Rewrites each archive that holds a doomed turn without it. */
    Removed remove(Path liveFile, ConversationKey key, int archiveFiles, Predicate<Turn> doomed) throws IOException {
        int removed = 0;
        int archived = 0;
        for (int i = 1; i <= archiveFiles; i++) {
            ArchiveChunk chunk = recovery.readArchive(liveFile, key, i);
            List<Turn> kept = chunk.turns().stream().filter(doomed.negate()).toList();
            archived += kept.size();
            if (kept.size() != chunk.turns().size()) {
                removed += chunk.turns().size() - kept.size();
                AtomicFiles.write(layout.archiveFile(liveFile, i),
                        codec.encode(ArchiveChunk.KIND, new ArchiveChunk(key, i, kept),
                                DocumentCodec.schemaFor(kept)), fsync, false);
            }
        }
        return new Removed(removed, archived);
    }
}
