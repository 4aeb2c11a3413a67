package dev.switchboard.cluster;

import java.time.Duration;

/**
 * The bot's turns to IDENTIFY on Discord's gateway. Discord allows one per 5 seconds per bucket (a shard's id modulo
 * the bot's {@code max_concurrency}) for the whole bot, so when several nodes open shards they take turns here.
 * Implementations are thread-safe.
 */
@FunctionalInterface
public interface IdentifyQueue {

    /** Each process paces only its own identifies (one node, or shards pinned by hand without a database). */
    IdentifyQueue LOCAL = bucket -> Duration.ZERO;

    /** Takes the next turn of {@code bucket}; returns how long until that turn comes ({@link Duration#ZERO}: now). */
    Duration take(int bucket);
}
