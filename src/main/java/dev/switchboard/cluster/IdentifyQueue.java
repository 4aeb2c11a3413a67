package dev.switchboard.cluster;

import java.time.Duration;

/**
 * The bot's turns to IDENTIFY on Discord's gateway. Discord allows one per 5 seconds per bucket (a shard's id modulo
 * the bot's {@code max_concurrency}) for the whole bot, so when several nodes open shards they take turns here: a
 * shard asks for its bucket's turn until it gets it, connects, and says when its connection is ready, from which the
 * next turn is counted. Implementations are thread-safe.
 */
public interface IdentifyQueue {

    /** Each process paces only its own identifies: a node without {@code cluster.enabled}. */
    IdentifyQueue LOCAL = bucket -> Duration.ZERO;

    /**
     * Takes the turn of {@code bucket} if it is free now.
     *
     * @return {@link Duration#ZERO} when the turn is this caller's; otherwise how long until it may be free (ask again
     *     then)
     */
    Duration take(int bucket);

    /** The connection that took the bucket's turn is ready (or failed): the next turn is a spacing from now. */
    default void done(int bucket) {
    }
}
