package dev.switchboard.answering;

import dev.switchboard.conversation.ConversationKey;
import java.util.Set;

/**
 * Which process answers a thread, when several share one store: a thread is answered by the one holding its lease.
 * A single process holds every lease ({@link #SOLE}). Implementations are thread-safe; their calls may block on the
 * store and run under the thread's queue lock.
 */
public interface ThreadLeases {

    /** One process, every thread its own. */
    ThreadLeases SOLE = new ThreadLeases() {
        @Override
        public boolean acquire(ConversationKey key) {
            return true;
        }

        @Override
        public void release(ConversationKey key) {
        }

        @Override
        public Set<ConversationKey> heldElsewhere() {
            return Set.of();
        }
    };

    /**
     * Takes or keeps the lease on a stored thread, before this process answers it.
     *
     * @return whether this process holds it now; false when another live process does, which answers the thread's
     *     stored messages in its turn
     */
    boolean acquire(ConversationKey key);

    /** This process has nothing left to answer in the thread: another may take it. */
    void release(ConversationKey key);

    /** Threads whose lease another live process holds: their stored messages are not this process's to answer. */
    Set<ConversationKey> heldElsewhere();
}
