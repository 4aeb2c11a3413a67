package dev.switchboard.store;

import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Turn;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The body of a conversation file: the conversation plus how many archive files hold its older turns. */
record StoredConversation(
        ConversationKey key,
        Instant startedAt,
        Instant updatedAt,
        Map<String, String> metadata,
        int archivedTurns,
        int archiveFiles,
        List<Turn> turns) {

    /** The document kind in the file's envelope. */
    static final String KIND = "conversation";

    StoredConversation {
        metadata = metadata == null ? Map.of() : metadata;
        turns = turns == null ? List.of() : turns;
    }

    static StoredConversation of(Conversation c, int archiveFiles) {
        return new StoredConversation(c.key(), c.startedAt(), c.updatedAt(), c.sortedMetadata(), c.archivedTurns(),
                archiveFiles, c.turns());
    }

    Conversation conversation() {
        return new Conversation(key, startedAt, updatedAt, metadata, archivedTurns, turns);
    }

    /** A rough size in memory, for the cache's weigher. */
    int weight() {
        long bytes = 256;
        for (Turn t : turns) {
            bytes += 160L + 2L * (t.text().length() + t.authorName().length() + t.authorId().length());
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }
}
