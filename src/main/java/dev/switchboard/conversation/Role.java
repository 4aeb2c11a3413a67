package dev.switchboard.conversation;

/** Who wrote a turn. */
public enum Role {
    USER,
    ASSISTANT,
    SYSTEM,
    /** A summary of the thread's older turns, written by a model to stand in for them in prompts. */
    SUMMARY,
    /**
     * A tool the assistant called while answering: {@code authorId} names it ({@code server/tool}), the text holds
     * the call's arguments and its (size-capped) result. Stored before the answer it served.
     */
    TOOL
}
