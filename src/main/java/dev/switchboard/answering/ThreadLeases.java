package dev.switchboard.answering;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.LeaseToken;
import dev.switchboard.conversation.Turn;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

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

    /** Whether other processes share the threads: replies then start only under a confirmed lease, in stored order. */
    default boolean shared() {
        return false;
    }

    /**
     * Right before a reply starts in a thread this process took: confirms (and renews) its lease. A process whose
     * heartbeat has not succeeded within the lease waits for it first, as its leases may have passed to another.
     *
     * @return the lease to write under; empty when another process holds the thread now (it answers the thread's
     *     stored messages)
     */
    default Optional<Held> confirm(ConversationKey key) {
        return Optional.of(SOLE_HELD);
    }

    /** The lease of a single process: no token, always written. */
    Held SOLE_HELD = new Held(null, ReplyStarter.Resume.ALWAYS);

    /**
     * How long after a message was written its reply waits, when {@link #shared}: a message written just before it
     * but received by another process is stored by then and answered first.
     */
    default java.time.Duration settle() {
        return java.time.Duration.ZERO;
    }

    /**
     * Since when this process has held the thread's lease without a break: a message written after that reached the
     * store while no other process could answer it, so none can have started its reply. Empty when this process does
     * not hold it, or is alone.
     */
    default Optional<java.time.Instant> heldSince(ConversationKey key) {
        return Optional.empty();
    }

    /** The thread's stored user messages that have no answer, oldest first (asked only when {@link #shared}). */
    default List<Turn> unanswered(ConversationKey key) {
        return List.of();
    }

    /**
     * The lease a reply is written under.
     *
     * @param token stored with the answer, which is refused once the lease passed on; null for a single process
     * @param mayWrite whether the reply may still write to the platform (see {@link ReplyStarter.Resume#mayWrite})
     */
    record Held(LeaseToken token, Supplier<CompletionStage<Boolean>> mayWrite) { }
}
