package dev.switchboard.conversation;

import java.time.Instant;
import java.time.YearMonth;

/**
 * What a listing knows about a stored conversation without reading it.
 *
 * @param key the conversation
 * @param partition the month the thread started in
 * @param bytes size of the current file (archives not counted)
 * @param lastModified when the current file was last written
 */
public record ConversationSummary(ConversationKey key, YearMonth partition, long bytes, Instant lastModified) {
}
