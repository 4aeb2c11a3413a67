package dev.switchboard.conversation;

/** Who wrote a turn. */
public enum Role {
    USER,
    ASSISTANT,
    SYSTEM,
    /**
     * A tool the assistant called while answering: {@code authorId} names it ({@code server/tool}), the text holds
     * the call's arguments and its (size-capped) result. Stored before the answer it served.
     */
    TOOL
}
