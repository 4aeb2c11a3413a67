package dev.switchboard.store;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Turn;
import java.util.List;

/** The body of an archive file: older turns of one conversation, written once when they rolled out. */
record ArchiveChunk(ConversationKey key, int index, List<Turn> turns) {

    /** The document kind in the file's envelope. */
    static final String KIND = "archive";

    ArchiveChunk {
        turns = turns == null ? List.of() : turns;
    }
}
