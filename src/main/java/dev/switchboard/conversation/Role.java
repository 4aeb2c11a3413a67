package dev.switchboard.conversation;

/** Who wrote a turn. */
public enum Role {
    USER,
    ASSISTANT,
    SYSTEM
}
