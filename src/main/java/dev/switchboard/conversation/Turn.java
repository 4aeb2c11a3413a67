package dev.switchboard.conversation;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation. Immutable.
 *
 * @param role who wrote it
 * @param authorId the platform's user id (for assistant turns, the bot's id)
 * @param authorName display name at the time of writing, used to tell people apart in shared threads
 * @param text the text exactly as the user wrote it or as the user saw the reply
 * @param at when it was written
 * @param messageIds the platform message ids that carry it (a long reply may span several messages)
 * @param assistant how the reply was produced; present on assistant turns only
 * @param summary which turns a summary covers and who wrote it; present on summary turns only
 * @param attachments the files that came with a user's message, in the order they were sent; empty for others
 */
public record Turn(
        Role role,
        String authorId,
        String authorName,
        String text,
        Instant at,
        List<String> messageIds,
        AssistantMeta assistant,
        SummaryMeta summary,
        List<Attachment> attachments) {

    /** A turn that is neither a summary nor carries files. */
    public Turn(Role role, String authorId, String authorName, String text, Instant at, List<String> messageIds,
                AssistantMeta assistant) {
        this(role, authorId, authorName, text, at, messageIds, assistant, null, List.of());
    }

    /** A turn without files. */
    public Turn(Role role, String authorId, String authorName, String text, Instant at, List<String> messageIds,
                AssistantMeta assistant, SummaryMeta summary) {
        this(role, authorId, authorName, text, at, messageIds, assistant, summary, List.of());
    }

    public Turn {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(at, "at");
        authorId = authorId == null ? "" : authorId;
        authorName = authorName == null ? "" : authorName;
        messageIds = messageIds == null ? List.of() : List.copyOf(messageIds);
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
        if (assistant != null && role != Role.ASSISTANT) {
            throw new IllegalArgumentException("only assistant turns carry assistant metadata, not " + role);
        }
        if ((summary != null) != (role == Role.SUMMARY)) {
            throw new IllegalArgumentException("summary turns, and only they, carry summary metadata: " + role);
        }
    }

    public static Turn user(String authorId, String authorName, String text, Instant at, List<String> messageIds) {
        return new Turn(Role.USER, authorId, authorName, text, at, messageIds, null);
    }

    /** A user's message with the files that came with it. */
    public static Turn user(String authorId, String authorName, String text, Instant at, List<String> messageIds,
                            List<Attachment> attachments) {
        return new Turn(Role.USER, authorId, authorName, text, at, messageIds, null, null, attachments);
    }

    /** The same turn with its files replaced (read, skipped, or dropped). */
    public Turn withAttachments(List<Attachment> replaced) {
        return new Turn(role, authorId, authorName, text, at, messageIds, assistant, summary, replaced);
    }

    /** A summary standing in for turns 1 to {@code meta.throughTurn()} of its thread. */
    public static Turn summary(String text, Instant at, SummaryMeta meta) {
        return new Turn(Role.SUMMARY, "", "", text, at, List.of(), null, Objects.requireNonNull(meta, "meta"));
    }

    /** A tool call and its result ({@link Role#TOOL}); {@code tool} is {@code server/tool}. */
    public static Turn tool(String tool, String arguments, String result, boolean failed, Instant at) {
        return new Turn(Role.TOOL, tool, "", arguments + "\n" + (failed ? "failed: " : "→ ") + result, at, List.of(),
                null);
    }

    public static Turn assistant(String botId, String text, Instant at, List<String> messageIds, AssistantMeta meta) {
        return new Turn(Role.ASSISTANT, botId, "", text, at, messageIds, Objects.requireNonNull(meta, "meta"));
    }
}
