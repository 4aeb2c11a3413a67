package dev.switchboard.conversation;

import java.util.Objects;

/**
 * Identifies one conversation: a thread in a channel of a workspace (Slack) or guild (Discord) on a platform.
 *
 * <p>Values are the platform's raw ids; they are never trusted as file names (the store encodes them).
 * Direct messages use the platform's DM channel id and the workspace {@code "dm"} where the platform has none.
 * Immutable and thread-safe.
 */
public record ConversationKey(String platform, String workspace, String channel, String thread) {

    /** Longest id accepted for any part; far beyond any real platform id, short enough to refuse garbage. */
    public static final int MAX_PART_LENGTH = 16_384;

    public ConversationKey {
        platform = requirePart("platform", platform);
        workspace = requirePart("workspace", workspace);
        channel = requirePart("channel", channel);
        thread = requirePart("thread", thread);
    }

    private static String requirePart(String name, String value) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty()) {
            throw new IllegalArgumentException("conversation key " + name + " must not be empty");
        }
        if (value.length() > MAX_PART_LENGTH) {
            throw new IllegalArgumentException("conversation key " + name + " is " + value.length()
                    + " characters; the limit is " + MAX_PART_LENGTH);
        }
        return value;
    }

    @Override
    public String toString() {
        return platform + ":" + workspace + "/" + channel + "/" + thread;
    }
}
