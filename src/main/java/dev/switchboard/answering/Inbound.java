package dev.switchboard.answering;

import dev.switchboard.conversation.ConversationKey;
import java.time.Instant;
import java.util.Objects;

/**
 * A user's message that asks for an answer, as an adapter hands it to {@link Conversations}.
 *
 * @param key the thread it belongs to
 * @param messageId the platform's id of the message; retried deliveries carry the same id
 * @param authorId the platform's id of the person who wrote it
 * @param authorName their display name, to tell people apart in shared threads; may be empty
 * @param text the question, with the bot's own mention removed
 * @param at when it was written
 * @param channelName the channel's display name for the system prompt; may be empty
 * @param files the files that came with it, read after it is stored (see {@link IncomingFile}); may be empty
 * @param channelNote the name the conversation's channel is kept under ({@link ChannelNotes#NOTE}), stored with the
 *     message when the conversation does not carry it yet; empty when the adapter notes it later or not at all
 */
public record Inbound(ConversationKey key, String messageId, String authorId, String authorName, String text,
                      Instant at, String channelName, java.util.List<IncomingFile> files, String channelNote) {

    /** A message whose channel name is noted later, or not at all. */
    public Inbound(ConversationKey key, String messageId, String authorId, String authorName, String text,
                   Instant at, String channelName, java.util.List<IncomingFile> files) {
        this(key, messageId, authorId, authorName, text, at, channelName, files, "");
    }

    /** A message without files. */
    public Inbound(ConversationKey key, String messageId, String authorId, String authorName, String text,
                   Instant at, String channelName) {
        this(key, messageId, authorId, authorName, text, at, channelName, java.util.List.of());
    }

    public Inbound {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(authorId, "authorId");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(at, "at");
        authorName = authorName == null ? "" : authorName;
        channelName = channelName == null ? "" : channelName;
        files = files == null ? java.util.List.of() : java.util.List.copyOf(files);
        channelNote = channelNote == null ? "" : channelNote;
    }
}
