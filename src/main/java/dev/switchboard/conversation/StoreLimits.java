package dev.switchboard.conversation;

import java.util.Objects;

/**
 * What every conversation store keeps and refuses, whatever its backend, so that a turn one backend takes the other
 * takes too (and {@code store copy} never meets a turn its target refuses). Stateless.
 */
public final class StoreLimits {

    /** Author ids and names, message ids and metadata names. */
    public static final int MAX_ID_CHARS = 512;
    public static final int MAX_MESSAGE_IDS = 200;
    public static final int MAX_METADATA_CHARS = 16_384;

    private StoreLimits() {
    }

    /**
     * @param maxTurnChars the configured longest text ({@code storage.max_turn_chars})
     * @throws TurnRejectedException naming the limit the turn breaks
     */
    public static void requireKeepable(Turn turn, int maxTurnChars) {
        if (turn.text().length() > maxTurnChars) {
            throw new TurnRejectedException("a message of " + turn.text().length()
                    + " characters is longer than this bot keeps (storage.max_turn_chars = " + maxTurnChars + ")");
        }
        if (turn.authorId().length() > MAX_ID_CHARS || turn.authorName().length() > MAX_ID_CHARS
                || turn.messageIds().size() > MAX_MESSAGE_IDS
                || turn.messageIds().stream().anyMatch(id -> id.length() > MAX_ID_CHARS)) {
            throw new TurnRejectedException("a turn's author or message ids are too long (at most " + MAX_ID_CHARS
                    + " characters each and " + MAX_MESSAGE_IDS + " message ids)");
        }
    }

    /** @throws TurnRejectedException when the name or the value (null removes it) is too long */
    public static void requireKeepable(String name, String value) {
        Objects.requireNonNull(name, "name");
        if (name.length() > MAX_ID_CHARS || (value != null && value.length() > MAX_METADATA_CHARS)) {
            throw new TurnRejectedException("metadata " + (name.length() > 40 ? name.substring(0, 40) + "…" : name)
                    + " is too long (names up to " + MAX_ID_CHARS + ", values up to " + MAX_METADATA_CHARS
                    + " characters)");
        }
    }
}
