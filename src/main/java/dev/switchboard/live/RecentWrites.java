package dev.switchboard.live;

/**
 * The times of a budget's latest writes, as many as the platform allows per window: what the platform's own sliding
 * window holds. A ring of primitive times, so a write costs no allocation and every question is answered by index.
 * Not thread-safe: its budget guards it.
 */
final class RecentWrites {

    private final long window;
    private long[] times;
    /** Where the oldest time is in {@link #times}. */
    private int head;
    private int size;

    /**
     * @param windowNanos the platform's window
     * @param limit the writes it allows per window
     */
    RecentWrites(long windowNanos, int limit) {
        this.window = windowNanos;
        this.times = new long[Math.max(1, limit)];
    }

    /** This node's share of the platform's writes (several nodes); the latest times already written stay. */
    void limit(int writes) {
        if (Math.max(1, writes) == times.length) {
            return;
        }
        long[] kept = new long[Math.max(1, writes)];
        int keep = Math.min(size, kept.length);
        for (int i = 0; i < keep; i++) {
            kept[i] = at(size - keep + i);
        }
        times = kept;
        head = 0;
        size = keep;
    }

    void add(long at) {
        if (size == times.length) {
            head = (head + 1) % times.length; // the oldest leaves: it says nothing about the window any more
            size--;
        }
        times[(head + size) % times.length] = at;
        size++;
    }

    /** Takes back the latest write made at {@code at}, which did not go after all. */
    void remove(long at) {
        for (int i = size - 1; i >= 0; i--) {
            if (at(i) == at) {
                for (int j = i; j < size - 1; j++) {
                    times[(head + j) % times.length] = at(j + 1);
                }
                size--;
                return;
            }
        }
    }

    /** The {@code i}th time, oldest first. */
    private long at(int i) {
        return times[(head + i) % times.length];
    }

    /**
     * When an urgent write may go beyond the budget's reserve: once the writes in the window and the replies waiting
     * for the budget ({@code waiting}, the writer among them) together fill at most three quarters of the platform's
     * writes. Each waiting reply is owed a write soon, so a spare write then leaves room in the window for each of
     * theirs, and a quarter for replies that start later; a finished reply's final text is worth more to its reader
     * than a progress edit the window might later hold back. Replies finishing while many others wait (fifty Slack
     * replies on one workspace's fifty edits a minute) keep their turns; a quiet budget (one reply, or ten on a
     * minute's fifty) shows each final text the moment it comes.
     */
    long spareAt(long now, int waiting) {
        int kept = Math.max(2, times.length - times.length * 3 / 4);
        return freeAt(now, kept + Math.max(0, waiting));
    }

    /**
     * When, on the ticker's time, the window has room for {@code room} more writes; {@code now} when it has already,
     * {@code Long.MAX_VALUE} when it never will ({@code room} beyond the limit). The platform counts the writes in
     * (t - window, t], so a write leaves it exactly one window after it went.
     */
    long freeAt(long now, int room) {
        if (room > times.length) {
            return Long.MAX_VALUE;
        }
        int leaving = size - (times.length - room); // the oldest this many must have left the window
        return leaving <= 0 ? now : Math.max(now, at(leaving - 1) + window);
    }
}
