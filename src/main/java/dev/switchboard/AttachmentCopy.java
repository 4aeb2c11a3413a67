package dev.switchboard;

import dev.switchboard.conversation.Attachment;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Turn;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code store copy}: the attachments' bytes of a thread's turns, for those the target does not hold yet. */
final class AttachmentCopy {

    private AttachmentCopy() {
    }

    /** @return whether anything was copied */
    static boolean copy(ConversationStore from, ConversationStore to, ConversationKey key, List<Turn> turns) {
        boolean copied = false;
        for (Turn turn : turns) {
            if (turn.attachments().isEmpty() || turn.messageIds().isEmpty()) {
                continue;
            }
            Map<String, byte[]> missing = new LinkedHashMap<>();
            for (Attachment a : turn.attachments()) {
                for (String hash : a.blobs()) {
                    if (!missing.containsKey(hash) && to.blob(key, hash).isEmpty()) {
                        from.blob(key, hash).ifPresent(b -> missing.put(hash, b));
                    }
                }
            }
            if (!missing.isEmpty()) {
                to.attach(key, turn.messageIds().getFirst(), turn.attachments(), missing);
                copied = true;
            }
        }
        return copied;
    }
}
