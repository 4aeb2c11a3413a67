package dev.switchboard.conversation;

import java.time.Duration;

/**
 * Each user's allowance of new messages, kept where every node of a cluster reads it: a user writing to two nodes
 * spends one allowance. A token bucket per user, refilled greedily ({@code messages} per {@code per}). Per message,
 * not per edit, so one round trip to the store each is fine. Thread-safe.
 */
public interface UserAllowances {

    /**
     * Takes one message from {@code user}'s allowance of {@code messages} per {@code per}.
     *
     * @param user the platform and the user's id, one string
     * @return zero if taken, else how long until one is free
     */
    Duration take(String user, int messages, Duration per);

    /** Gives back what {@link #take} took: the message was not taken after all. */
    void refund(String user);
}
