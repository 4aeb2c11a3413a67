package dev.switchboard.answering;

import dev.switchboard.conversation.Blobs;
import dev.switchboard.conversation.ConversationStore;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a message's files once its reply begins (after the platform has its acknowledgement), keeps them with the
 * thread, and gives the reply its thread's attachments. A file that cannot be read stays in the turn with its reason,
 * so the answer names it; with {@code keep} off, the bytes serve this answer only. Thread-safe.
 */
final class StoredFiles {

    private static final Logger log = LoggerFactory.getLogger(StoredFiles.class);

    private final ConversationStore store;
    private volatile AttachmentLimits limits = AttachmentLimits.DEFAULT;

    StoredFiles(ConversationStore store) {
        this.store = store;
    }

    void limits(AttachmentLimits next) {
        this.limits = Objects.requireNonNull(next, "limits");
    }

    /** Reads the message's files, if any, into the store. @return where the reply reads its attachments */
    Blobs read(Inbound message) {
        if (message.files().isEmpty()) {
            return sha -> store.blob(message.key(), sha);
        }
        AttachmentLimits now = limits;
        MessageFiles.Read read = MessageFiles.read(message.files(), now);
        Map<String, byte[]> here = read.blobs();
        try {
            store.attach(message.key(), message.messageId(), read.attachments(), now.keep() ? here : Map.of());
        } catch (RuntimeException e) {
            // The answer still uses them; only a later question would miss them. Nothing of the files is logged.
            log.warn("could not keep a message's attachments in {}: {}", message.key(), e.toString());
        }
        return sha -> {
            byte[] bytes = here.get(sha);
            return bytes != null ? Optional.of(bytes) : store.blob(message.key(), sha);
        };
    }
}
