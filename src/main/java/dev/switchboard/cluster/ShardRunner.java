package dev.switchboard.cluster;

/**
 * Opens and closes the gateway connections of Discord shards at runtime, as {@link ShardSpread} hands them to this
 * node. Implementations are thread-safe.
 */
public interface ShardRunner {

    /** Starts connecting a shard; returns at once (Discord paces the identifies). */
    void start(int shard);

    /**
     * Closes a shard's connection and returns only once it is closed: from then on no event of the shard reaches this
     * node, so another node may open it.
     */
    void stop(int shard);

    /** Whether a started shard is connected and receiving its events. */
    boolean running(int shard);
}
