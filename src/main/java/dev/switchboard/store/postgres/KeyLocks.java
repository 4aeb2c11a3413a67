package dev.switchboard.store.postgres;

import dev.switchboard.conversation.ConversationKey;
import java.util.Collection;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Striped locks over conversation keys, so that a change's commit and the cache update after it happen together in
 * this process. Several keys are locked in stripe order, so two callers never wait on each other in a circle.
 * Thread-safe.
 */
final class KeyLocks {

    private static final int STRIPES = 1024;

    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    KeyLocks() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    <T> T with(ConversationKey key, Supplier<T> action) {
        ReentrantLock lock = locks[stripe(key)];
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    <T> T withAll(Collection<ConversationKey> keys, Supplier<T> action) {
        TreeSet<Integer> stripes = new TreeSet<>();
        keys.forEach(k -> stripes.add(stripe(k)));
        int locked = 0;
        try {
            for (int stripe : stripes) {
                locks[stripe].lock();
                locked++;
            }
            return action.get();
        } finally {
            for (int stripe : stripes) {
                if (locked-- == 0) {
                    break;
                }
                locks[stripe].unlock();
            }
        }
    }

    private static int stripe(ConversationKey key) {
        return Math.floorMod(key.hashCode() * 0x9E3779B9, STRIPES);
    }
}
