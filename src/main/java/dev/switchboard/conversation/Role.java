package dev.switchboard.conversation;

/** Who wrote a turn. */
public enum Role {
    USER,
    ASSISTANT,
    SYSTEM,
    /** A summary of the thread's older turns, written by a model to stand in for them in prompts. */
    SUMMARY
}
