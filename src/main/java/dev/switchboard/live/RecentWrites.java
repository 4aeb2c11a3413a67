package dev.switchboard.live;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The times of a budget's latest writes, as many as the platform allows per window: what the platform's own sliding
 * window holds. Not thread-safe: its budget guards it.
 */
final class RecentWrites {

    private final long window;
    private final ArrayDeque<Long> times = new ArrayDeque<>();
    private int limit;

    /**
     * @param windowNanos the platform's window
     * @param limit the writes it allows per window
     */
    RecentWrites(long windowNanos, int limit) {
        this.window = windowNanos;
        this.limit = limit;
    }

    /** This node's share of the platform's writes (several nodes); the times already written stay. */
    void limit(int writes) {
        limit = writes;
        while (times.size() > limit) {
            times.removeFirst();
        }
    }

    void add(long at) {
        times.addLast(at);
        if (times.size() > limit) {
            times.removeFirst();
        }
    }

    /** Takes back a write made at {@code at} that did not go after all. */
    void remove(long at) {
        times.removeLastOccurrence(at);
    }

    /**
     * When the window is at most half full (and has room for two more): a budget is not busy then, and an urgent write
     * may go beyond its reserve without taking a write its paced replies are owed.
     */
    long quietAt(long now) {
        return freeAt(now, Math.max(2, (limit + 1) / 2));
    }

    /**
     * When, on the ticker's time, the window has room for {@code room} more writes; {@code now} when it has already.
     * The platform counts the writes in (t - window, t], so a write leaves it exactly one window after it went.
     */
    long freeAt(long now, int room) {
        int leaving = times.size() - (limit - room); // the oldest this many must have left the window
        if (limit < room) {
            return Long.MAX_VALUE;
        }
        if (leaving <= 0) {
            return now;
        }
        Iterator<Long> oldestFirst = times.iterator();
        long last = 0;
        for (int i = 0; i < leaving; i++) {
            last = oldestFirst.next();
        }
        return Math.max(now, last + window);
    }
}
