package dev.switchboard.answering;

/** What became of a message handed to {@link Conversations#submit}. */
public sealed interface Admission {

    /**
     * Stored durably and will be answered.
     *
     * @param ahead replies to finish in this thread before this one starts; 0 when it starts at once
     */
    record Accepted(int ahead) implements Admission { }

    /** Already answered or being answered: a platform retry or a second event for the same message. */
    record Duplicate() implements Admission { }

    /**
     * Not taken; the user should be told why.
     *
     * @param userMessage one friendly line for the user
     */
    record Refused(String userMessage) implements Admission { }
}
