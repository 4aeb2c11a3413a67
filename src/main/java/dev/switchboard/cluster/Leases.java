package dev.switchboard.cluster;

import dev.switchboard.answering.ThreadLeases;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.store.postgres.PostgresCluster;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's thread leases in the database, and the ones it holds, which its heartbeat renews. A release that finds
 * a message left in the thread (another node stored it while this one held the lease) asks for a sweep at once, so
 * that message does not wait for the next poll. Thread-safe.
 */
final class Leases implements ThreadLeases {

    private final PostgresCluster rows;
    private final Runnable sweepSoon;
    private final Map<ConversationKey, Long> held = new ConcurrentHashMap<>();

    Leases(PostgresCluster rows, Runnable sweepSoon) {
        this.rows = rows;
        this.sweepSoon = sweepSoon;
    }

    @Override
    public boolean acquire(ConversationKey key) {
        OptionalLong id = rows.acquire(key);
        id.ifPresent(conversation -> held.put(key, conversation));
        return id.isPresent();
    }

    @Override
    public void release(ConversationKey key) {
        Long conversation = held.remove(key);
        if (conversation != null && rows.release(conversation)) {
            sweepSoon.run();
        }
    }

    @Override
    public Set<ConversationKey> heldElsewhere() {
        return rows.heldElsewhere();
    }

    /** The conversation ids of the threads this node holds, for the heartbeat to renew. */
    List<Long> held() {
        return List.copyOf(held.values());
    }

    int count() {
        return held.size();
    }
}
