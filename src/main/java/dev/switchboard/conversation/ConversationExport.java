package dev.switchboard.conversation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import dev.switchboard.json.Json;

/**
 * A whole thread as the operator's {@code export} gives it: the one export format, versioned so readers can tell
 * later changes apart, whatever store the thread came from. Immutable.
 *
 * @param version the format's version, {@value #VERSION}
 * @param exportedAt when the export was made
 * @param conversation which thread this is
 * @param startedAt when its first turn was written
 * @param updatedAt when it was last changed
 * @param metadata its metadata, sorted by name
 * @param turns every turn, archived ones included, oldest first
 * @param feedback the verdicts people gave its answers, oldest first (each names its answer's first message id)
 * @param files the kept bytes of the turns' attachments, base64, by the hex SHA-256 the turns name them with
 */
public record ConversationExport(int version, Instant exportedAt, ConversationKey conversation, Instant startedAt,
                                 Instant updatedAt, Map<String, String> metadata, List<Turn> turns,
                                 List<Feedback> feedback, Map<String, String> files) {

    public ConversationExport {
        files = files == null ? Map.of() : new java.util.TreeMap<>(files);
    }

    public static final int VERSION = 1;

    /** The documents dialect, indented, with durations in seconds as the export has always written them. */
    private static final ObjectWriter JSON = Json.documents().writer()
            .with(SerializationFeature.INDENT_OUTPUT)
            .with(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

    /** The export of a complete conversation (see {@link ConversationStore#loadComplete}) without verdicts. */
    public static ConversationExport of(Conversation complete, Instant exportedAt) {
        return of(complete, List.of(), exportedAt);
    }

    /** The export of a complete conversation with the verdicts on its answers ({@link FeedbackStore#feedback}). */
    public static ConversationExport of(Conversation complete, List<Feedback> feedback, Instant exportedAt) {
        return of(complete, feedback, Blobs.NONE, exportedAt);
    }

    /** The export with the verdicts and the attachments' bytes as {@code blobs} still holds them. */
    public static ConversationExport of(Conversation complete, List<Feedback> feedback, Blobs blobs,
                                        Instant exportedAt) {
        if (complete.archivedTurns() != 0) {
            throw new IllegalArgumentException("an export needs every turn; load the conversation complete");
        }
        Map<String, String> files = new java.util.TreeMap<>();
        for (Turn turn : complete.turns()) {
            for (Attachment a : turn.attachments()) {
                for (String hash : a.blobs()) {
                    if (!files.containsKey(hash)) {
                        blobs.read(hash).ifPresent(b -> files.put(hash, java.util.Base64.getEncoder().encodeToString(b)));
                    }
                }
            }
        }
        return new ConversationExport(VERSION, exportedAt, complete.key(), complete.startedAt(), complete.updatedAt(),
                complete.sortedMetadata(), complete.turns(), List.copyOf(feedback), files);
    }

    /** The export as indented JSON, UTF-8. */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the thread could not be written as JSON", e);
        }
    }
}
